"""`callsim serve`: the trainee's app in a browser, one app process per browser session.

textual-serve runs a command per browser connection and relays its screen over a websocket, but
every connection would be whoever started the server, sharing one saved trainee name. Here each
connection gets its own identity before its app starts:

- behind a reverse proxy that authenticates people, the proxy's user header
  (`user_header`, e.g. `X-Remote-User`) names the trainee; a connection without it is refused;
- otherwise a sign-in page asks who is training (`Accounts.check` decides; `AnyName` takes any
  valid trainee name; `StoreAccounts` asks for a password and logs in to the team's PostgreSQL
  store as that person, so the database itself says yes or no), and a cookie ties the browser
  to that sign-in. Wrong passwords in a row from one address for one name slow down
  (`Throttle`).

Each identity's app runs with its own config folder (`CALLSIM_CONFIG_DIR`, under `config_root`)
and its name in `CALLSIM_TRAINEE`, so the name, the theme and anything else the app saves stay
with that session (with a proxy: with that person) and never reach another's. The store (`--db`)
is shared: it is where every session's calls are saved, under each trainee's name. With
`StoreAccounts`, each session's app connects to it as the signed-in person's own role (the
password in its environment only), so row-level security decides what that app sees and saves.
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
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from callsim.sim.trainee import CONFIG_DIR_ENV, TRAINEE_ENV, trainee_name_problem

log = logging.getLogger("callsim.serve")

COOKIE = "callsim_session"
#: Sign-ins kept at once; the oldest is forgotten past this (a bound on memory, not a login cap).
MAX_SIGN_INS = 10_000
#: Wrong passwords in a row (one address, one name) heard at once; then each try waits twice as
#: long as the one before (1 s, 2 s, 4 s, ... up to THROTTLE_MAX_SECONDS).
FREE_TRIES = 3
THROTTLE_MAX_SECONDS = 60


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

    `AnyName` is the default; `StoreAccounts` checks a team store's people and passwords.
    """

    asks_password: bool

    def check(self, name: str, password: str) -> str | None: ...

    def store_for(self, name: str) -> str | None:
        """The store a signed-in person's app connects to (None: the server's own)."""
        ...


class AnyName:
    """Anyone may sign in under any valid trainee name (a single team's own machine)."""

    asks_password = False

    def check(self, name: str, password: str) -> str | None:
        return trainee_name_problem(name)

    def store_for(self, name: str) -> str | None:
        return None


class StoreAccounts:
    """The people of a team's PostgreSQL store (`callsim admin add-person`): a sign-in is a
    login to that server as the person's own role with the password typed, so the database
    decides, and the person must be one of the store's people (not, say, its superuser).
    Refusals never say whether the name or the password was wrong."""

    asks_password = True
    WRONG = "That name and password do not match a person on the team's store."
    UNREACHABLE = (
        "The team's store cannot be reached just now, so nobody can sign in. "
        "Try again in a minute, or tell your trainer."
    )
    NO_PASSWORD_ASKED = (
        "The team's store let the login in without checking its password (trust or peer "
        "authentication), so a password cannot be checked here: ask your admin to have the "
        "server ask for passwords (scram-sha-256 in pg_hba.conf)."
    )

    def __init__(self, url: str) -> None:
        self.url = url

    def store_for(self, name: str) -> str:
        """The store's URL with `name` as the user (the URL never holds a password)."""
        parts = urlsplit(self.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, f"{name}@{host}", parts.path, parts.query, ""))

    def check(self, name: str, password: str) -> str | None:
        from callsim.sim.store_admin import NAME

        # an empty password would let libpq fall back to the server's own PGPASSWORD or .pgpass
        if not password or not NAME.fullmatch(name):
            return self.WRONG
        import psycopg
        from psycopg.conninfo import make_conninfo

        conninfo = make_conninfo(
            self.url,
            user=name,
            password=password,
            passfile=os.devnull,  # never the server's own saved passwords
            connect_timeout=5,
            application_name="callsim serve sign-in",
        )
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                if not conn.pgconn.used_password:
                    return self.NO_PASSWORD_ASKED
                person = conn.execute("SELECT 1 FROM people WHERE name = current_user").fetchone()
        except psycopg.Error as exc:
            text = str(exc).lower()
            if (
                "password authentication failed" in text
                or "not permitted to log in" in text
                or ("role" in text and "does not exist" in text)
                or (getattr(exc, "sqlstate", None) or "").startswith("28")
                or "permission denied" in text  # a login role that is no callsim person
                or ("relation" in text and "does not exist" in text)
            ):
                return self.WRONG
            log.warning("sign-in: the team's store cannot be reached: %s", text.splitlines()[0])
            return self.UNREACHABLE
        return None if person else self.WRONG


class Throttle:
    """Wrong passwords in a row from one address for one name: the first FREE_TRIES are
    answered at once; after that each try is heard only once 1, 2, 4, ... seconds (up to
    THROTTLE_MAX_SECONDS) have passed since the last wrong one. A right password clears it."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.wrong: dict[tuple[str, str], tuple[int, float]] = {}

    def wait(self, key: tuple[str, str]) -> int:
        """Whole seconds before another try from `key` is heard (0: now)."""
        count, last = self.wrong.get(key, (0, 0.0))
        if count < FREE_TRIES:
            return 0
        delay = min(2 ** (count - FREE_TRIES), THROTTLE_MAX_SECONDS)
        left = last + delay - self.clock()
        return max(0, int(left + 0.999))

    def failed(self, key: tuple[str, str]) -> None:
        count, _ = self.wrong.pop(key, (0, 0.0))
        self.wrong[key] = (count + 1, self.clock())
        while len(self.wrong) > MAX_SIGN_INS:
            del self.wrong[next(iter(self.wrong))]

    def succeeded(self, key: tuple[str, str]) -> None:
        self.wrong.pop(key, None)


@dataclass
class Identity:
    """A signed-in trainee and the config folder their session's app saves into; with a team
    store's accounts, the store as that person and their password (for their apps' environment
    only, kept in this process's memory while they are signed in)."""

    trainee: str
    config_dir: Path
    db: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass
class Sessions:
    """Sign-ins by cookie token, and the folders their settings live in."""

    root: Path
    by_token: dict[str, Identity] = field(default_factory=dict)

    def sign_in(self, trainee: str, *, db: str | None = None, password: str | None = None) -> str:
        token = secrets.token_urlsafe(32)
        folder = self.root / "sessions" / hashlib.sha256(token.encode()).hexdigest()[:24]
        self.by_token[token] = Identity(trainee, folder, db, password)
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
        db = self.identity.db or self.db
        if db:
            env["CALLSIM_DB"] = db
        if self.identity.password is not None:  # the environment, never the command line
            env["PGPASSWORD"] = self.identity.password
            env["PGPASSFILE"] = os.devnull  # nor the server's own saved passwords
        return env


SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: {heading}</title>
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
<p>{intro}</p>
{problem}
<label for="trainee">{name_label}</label>
<input id="trainee" name="trainee" value="{name}" maxlength="200" autocomplete="username"
 autofocus required>
{password}
<button type="submit" id="sign-in">Start</button>
</form></body></html>
"""

PASSWORD_FIELD = """<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>"""
ASK_NAME = (
    "who is training?",
    "Who is training? Your calls and progress are saved under this name.",
    "Your name",
)
ASK_ACCOUNT = (
    "sign in",
    "Sign in with your name and password on the team's store. Your calls "
    "and progress are saved under this name.",
    "Your name (as on the team's store)",
)


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
        self.throttle = Throttle()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_post("/sign-in", self.handle_sign_in)
        app.router.add_post("/sign-out", self.handle_sign_out)
        return app

    async def on_startup(self, app: web.Application) -> None:
        how = f"the {self.user_header} header" if self.user_header else "a sign-in page"
        if not self.user_header and self.accounts.asks_password:
            how += " with the team store's passwords"
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

    def sign_in_page(
        self, name: str = "", problem: str | None = None, status: int = 400
    ) -> web.Response:
        heading, intro, name_label = ASK_ACCOUNT if self.accounts.asks_password else ASK_NAME
        page = SIGN_IN_PAGE.format(
            title="callsim",
            heading=heading,
            intro=intro,
            name_label=name_label,
            action=html.escape(self._url("/sign-in"), quote=True),
            name=html.escape(name, quote=True),
            problem=f'<p class="problem" role="alert">{html.escape(problem)}</p>'
            if problem
            else "",
            password=PASSWORD_FIELD if self.accounts.asks_password else "",
        )
        return web.Response(
            text=page, content_type="text/html", status=200 if problem is None else status
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
        password = str(form.get("password", ""))
        if not self.accounts.asks_password:
            problem = self.accounts.check(name, password)
            if problem is not None:
                return self.sign_in_page(name, problem)
            token = self.sessions.sign_in(name)
        else:
            key = (request.remote or "", name.casefold())
            wait = self.throttle.wait(key)
            if wait:
                return self.sign_in_page(
                    name,
                    f"Too many wrong tries: wait {wait} second{'s' if wait > 1 else ''}, "
                    "then try again.",
                    status=429,
                )
            # a login to the server takes a moment: the other sessions go on meanwhile
            problem = await asyncio.to_thread(self.accounts.check, name, password)
            if problem is not None:
                unreachable = problem == getattr(self.accounts, "UNREACHABLE", None)
                if not unreachable:
                    self.throttle.failed(key)
                return self.sign_in_page(name, problem, status=503 if unreachable else 403)
            self.throttle.succeeded(key)
            token = self.sessions.sign_in(name, db=self.accounts.store_for(name), password=password)
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
    sign_in: str = "name",
) -> None:
    """Run the server until Ctrl+C or SIGTERM. Without `config_root`, sessions' settings live
    in a temporary folder removed when the server stops. `sign_in="accounts"` checks names and
    passwords against the team's PostgreSQL store `db` (StoreAccounts)."""
    temporary = config_root is None
    root = Path(tempfile.mkdtemp(prefix="callsim-serve-") if temporary else config_root)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _store_target(db) if db else os.environ.get("CALLSIM_DB") or None
    server = CallsimServer(
        app_command(scenario_dirs),
        host=host,
        port=port,
        public_url=public_url,
        db=target,
        config_root=root.resolve(),
        user_header=user_header,
        accounts=StoreAccounts(target) if sign_in == "accounts" and target else None,
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
