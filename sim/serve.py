"""`callsim serve`: the trainee's app in a browser, one app process per browser session.

textual-serve runs a command per browser connection and relays its screen over a websocket, but
every connection would be whoever started the server, sharing one saved trainee name. Here each
connection gets its own identity before its app starts:

- behind a reverse proxy that authenticates people, the proxy's user header
  (`user_header`, e.g. `X-Remote-User`) names the trainee; a connection without it is refused;
- otherwise a sign-in page asks who is training (`Accounts.check` decides; `AnyName` takes any
  valid trainee name; a team store's account check slots in as another `Accounts`), and a
  cookie ties the browser to that sign-in.

Each identity's app runs with its own config folder (`CALLSIM_CONFIG_DIR`, under `config_root`)
and its name in `CALLSIM_TRAINEE`, so the name, the theme and anything else the app saves stay
with that session (with a proxy: with that person) and never reach another's. The store (`--db`)
is shared: it is where every session's calls are saved, under each trainee's name.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import ipaddress
import logging
import os
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from callsim.sim.trainee import CONFIG_DIR_ENV, TRAINEE_ENV, trainee_name_problem

log = logging.getLogger("callsim.serve")

COOKIE = "callsim_session"
#: Sign-ins kept at once; the oldest is forgotten past this (a bound on memory, not a login cap).
MAX_SIGN_INS = 10_000


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server on this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Accounts(Protocol):
    """Who may train: checks a sign-in and returns why it is refused (None: signed in).

    `AnyName` is the default; a team store's accounts (issue 15) implement the same method.
    """

    asks_password: bool

    def check(self, name: str, password: str) -> str | None: ...


class AnyName:
    """Anyone may sign in under any valid trainee name (a single team's own machine)."""

    asks_password = False

    def check(self, name: str, password: str) -> str | None:
        return trainee_name_problem(name)


@dataclass
class Identity:
    """A signed-in trainee and the config folder their session's app saves into."""

    trainee: str
    config_dir: Path


@dataclass
class Sessions:
    """Sign-ins by cookie token, and the folders their settings live in."""

    root: Path
    by_token: dict[str, Identity] = field(default_factory=dict)

    def sign_in(self, trainee: str) -> str:
        token = secrets.token_urlsafe(32)
        folder = self.root / "sessions" / hashlib.sha256(token.encode()).hexdigest()[:24]
        self.by_token[token] = Identity(trainee, folder)
        while len(self.by_token) > MAX_SIGN_INS:
            del self.by_token[next(iter(self.by_token))]
        return token

    def sign_out(self, token: str) -> None:
        self.by_token.pop(token, None)

    def for_user(self, trainee: str) -> Identity:
        """A proxy-authenticated person: one folder per name, kept across their sessions."""
        digest = hashlib.sha256(trainee.encode("utf-8")).hexdigest()[:24]
        return Identity(trainee, self.root / "users" / digest)


class SessionApp(AppService):
    """One browser session's app process, run as its trainee with its own config folder."""

    def __init__(self, *args, identity: Identity, db: str | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.identity = identity
        self.db = db

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        self.identity.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[CONFIG_DIR_ENV] = str(self.identity.config_dir)
        env[TRAINEE_ENV] = self.identity.trainee
        if self.db:
            env["CALLSIM_DB"] = self.db
        return env


SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: who is training?</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #1e1e2e; color: #e0e0e0;
  display: flex; justify-content: center; padding-top: 12vh; }}
form {{ background: #2a2a3c; padding: 2rem 2.5rem; border-radius: 8px; min-width: 22rem; }}
h1 {{ font-size: 1.3rem; margin-top: 0; }}
label {{ display: block; margin: 1rem 0 .3rem; }}
input {{ font-size: 1rem; padding: .4rem; width: 100%; box-sizing: border-box; }}
button {{ margin-top: 1.2rem; font-size: 1rem; padding: .4rem 1.2rem; }}
.problem {{ color: #ff8080; }}
</style></head>
<body><form method="post" action="{action}">
<h1>{title}</h1>
<p>Who is training? Your calls and progress are saved under this name.</p>
{problem}
<label for="trainee">Your name</label>
<input id="trainee" name="trainee" value="{name}" maxlength="200" autofocus required>
{password}
<button type="submit" id="sign-in">Start</button>
</form></body></html>
"""

PASSWORD_FIELD = """<label for="password">Password</label>
<input id="password" name="password" type="password" required>"""


class CallsimServer(Server):
    """textual-serve's server with an identity per connection (see the module's docstring)."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_url: str | None,
        db: str | None,
        config_root: Path,
        user_header: str | None = None,
        accounts: Accounts | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title="callsim", public_url=public_url)
        self.db = db
        self.sessions = Sessions(config_root)
        self.user_header = user_header
        self.accounts: Accounts = accounts or AnyName()
        self.secure_cookie = self.public_url.startswith("https:")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_post("/sign-in", self.handle_sign_in)
        app.router.add_post("/sign-out", self.handle_sign_out)
        return app

    async def on_startup(self, app: web.Application) -> None:
        how = f"the {self.user_header} header" if self.user_header else "a sign-in page"
        for line in (
            f"callsim serving on {self.public_url} (who is training: {how})",
            f"session settings under {self.sessions.root}",
            "Press Ctrl+C to stop",
        ):  # paths and headers as given: no markup, no wrapping
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    # -- who is this? ----------------------------------------------------------------------

    def identity(self, request: web.Request) -> Identity | None:
        if self.user_header:
            name = request.headers.get(self.user_header, "")
            if trainee_name_problem(name) is not None:
                return None
            return self.sessions.for_user(" ".join(name.split()))
        return self.sessions.by_token.get(request.cookies.get(COOKIE, ""))

    def refused(self) -> web.Response:
        return web.Response(
            status=403,
            text=f"callsim: this server takes who is training from the {self.user_header} "
            "header, which the reverse proxy did not send.\n",
        )

    def sign_in_page(self, name: str = "", problem: str | None = None) -> web.Response:
        page = SIGN_IN_PAGE.format(
            title="callsim",
            action=html.escape(self._url("/sign-in"), quote=True),
            name=html.escape(name, quote=True),
            problem=f'<p class="problem" role="alert">{html.escape(problem)}</p>'
            if problem
            else "",
            password=PASSWORD_FIELD if self.accounts.asks_password else "",
        )
        return web.Response(
            text=page, content_type="text/html", status=200 if problem is None else 400
        )

    def _url(self, path: str) -> str:
        return urlsplit(self.public_url).path.rstrip("/") + path

    async def handle_index(self, request: web.Request):  # type: ignore[override]
        if self.identity(request) is None:
            return self.refused() if self.user_header else self.sign_in_page()
        return await super().handle_index(request)

    async def handle_sign_in(self, request: web.Request) -> web.StreamResponse:
        if self.user_header:
            raise web.HTTPNotFound()
        form = await request.post()
        name = " ".join(str(form.get("trainee", "")).split())
        problem = self.accounts.check(name, str(form.get("password", "")))
        if problem is not None:
            return self.sign_in_page(name, problem)
        token = self.sessions.sign_in(name)
        response = web.HTTPSeeOther(self._url("/"))
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="Strict", secure=self.secure_cookie, path="/"
        )
        return response

    async def handle_sign_out(self, request: web.Request) -> web.StreamResponse:
        self.sessions.sign_out(request.cookies.get(COOKIE, ""))
        response = web.HTTPSeeOther(self._url("/"))
        response.del_cookie(COOKIE, path="/")
        return response

    # -- one app per connection ------------------------------------------------------------

    def same_origin(self, request: web.Request) -> bool:
        """A browser's websocket from a page of this server (another site's page could
        otherwise drive a signed-in trainee's app)."""
        origin = request.headers.get("Origin")
        if origin is None:  # not a browser
            return True
        netloc = urlsplit(origin).netloc
        return netloc in (request.host, urlsplit(self.public_url).netloc)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's, with the session's identity given to its app process only."""
        identity = self.identity(request)
        if identity is None or not self.same_origin(request):
            raise web.HTTPForbidden(text="callsim: sign in first\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = SessionApp(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
                identity=identity,
                db=self.db,
            )
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one session's failure must not stop the server
            log.exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket


def app_command(scenario_dirs: Sequence[str]) -> str:
    """The shell command each session runs: this Python's callsim app, served."""
    parts = [sys.executable, "-m", "callsim", "app", "--served"]
    for d in scenario_dirs:
        parts += ["--scenarios", str(Path(d).resolve())]
    return "exec " + " ".join(shlex.quote(p) for p in parts)  # no shell left between


def _store_target(db: str) -> str:
    """The store every session writes to: a file by its absolute path (each session runs in a
    folder of its own), a team server's URL as given."""
    from callsim.sim.store import is_server_url

    return db if is_server_url(db) else str(Path(db).resolve())


def serve(
    *,
    host: str,
    port: int,
    db: str | None,
    scenario_dirs: Sequence[str] = (),
    public_url: str | None = None,
    user_header: str | None = None,
    config_root: str | None = None,
) -> None:
    """Run the server until Ctrl+C or SIGTERM. Without `config_root`, sessions' settings live
    in a temporary folder removed when the server stops."""
    temporary = config_root is None
    root = Path(tempfile.mkdtemp(prefix="callsim-serve-") if temporary else config_root)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    server = CallsimServer(
        app_command(scenario_dirs),
        host=host,
        port=port,
        public_url=public_url,
        db=_store_target(db) if db else os.environ.get("CALLSIM_DB") or None,
        config_root=root.resolve(),
        user_header=user_header,
    )
    from aiohttp.web_runner import GracefulExit

    def stop(signum: int, frame: object) -> None:
        raise GracefulExit()  # aiohttp closes connections and their apps, then returns

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
