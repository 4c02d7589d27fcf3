"""`callsim serve --sign-in accounts`: the sign-in page checks a name and password by logging in
to the team's PostgreSQL store as that person, and each session's app then connects as them, so
row-level security decides what it sees and saves. A real server and real app processes."""

from __future__ import annotations

import asyncio
import html
import os
import re
import time
from pathlib import Path

import aiohttp
import psycopg
import pytest
from serving import free_port, served

from callsim.sim.cli import main
from callsim.sim.serve import FREE_TRIES, StoreAccounts, Throttle
from callsim.sim.store import Store

ANN, BOB = "t16_ann", "t16_bob"
WRONG = html.escape(StoreAccounts.WRONG)  # as the page shows it
PASSWORD = {ANN: "ann's pass <b>1</b>", BOB: "bob-pass-2"}
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")


@pytest.fixture
def team(pg_url, capsys):
    """A team store set up with `callsim admin`: trainees Ann and Bob in team north, each with
    a password set in the database (as a DBA would)."""
    assert main(["admin", "init", "--db", pg_url]) == 0
    assert main(["admin", "add-team", "north", "--db", pg_url]) == 0
    for name in (ANN, BOB):
        argv = ["admin", "add-person", name, "--role", "trainee", "--team", "north"]
        assert main([*argv, "--db", pg_url]) == 0, capsys.readouterr().err
    with psycopg.connect(pg_url, autocommit=True) as owner:
        for name, password in PASSWORD.items():
            quoted = password.replace("'", "''")
            owner.execute(f"ALTER ROLE {name} PASSWORD '{quoted}'")
    capsys.readouterr()
    return pg_url


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(http, url: str, name: str, password: str) -> aiohttp.ClientResponse:
    return await http.post(
        f"{url}/sign-in", data={"trainee": name, "password": password}, allow_redirects=False
    )


def test_accounts_need_a_team_store_and_no_proxy_header(tmp_path, capsys):
    assert main(["serve", "--sign-in", "accounts", "--db", str(tmp_path / "c.db")]) == 2
    assert "give --db postgresql://" in capsys.readouterr().err
    url = "postgresql://x@127.0.0.1:1/db"
    assert main(["serve", "--sign-in", "accounts", "--user-header", "X-User", "--db", url]) == 2
    assert "give one" in capsys.readouterr().err


def test_a_right_password_signs_in_and_a_wrong_one_says_nothing_about_which(team, tmp_path):
    async def go(srv):
        async with browser() as http:
            page = await (await http.get(srv.url + "/")).text()
            assert 'type="password"' in page and "Sign in with your name and password" in page
            wrong = await sign_in(http, srv.url, ANN, "not it")
            text = await wrong.text()
            assert wrong.status == 403 and WRONG in text
            assert "not it" not in text and "Set-Cookie" not in wrong.headers
            unknown = await sign_in(http, srv.url, "t16_nobody", PASSWORD[ANN])
            assert unknown.status == 403 and WRONG in await unknown.text()
            # the server's own superuser is no person of the store, whatever its password
            owner = await sign_in(http, srv.url, "postgres", "")
            assert owner.status == 403 and WRONG in await owner.text()
            markup = await sign_in(http, srv.url, "<b>ann</b>", "x")
            assert "&lt;b&gt;ann&lt;/b&gt;" in await markup.text()  # shown back, inert
            with pytest.raises(aiohttp.WSServerHandshakeError):  # no app before signing in
                await http.ws_connect(srv.url.replace("http", "ws") + "/ws")
            ok = await sign_in(http, srv.url, ANN, PASSWORD[ANN])
            assert ok.status == 303 and "HttpOnly" in ok.headers["Set-Cookie"]
            app_page = await (await http.get(srv.url + "/")).text()
            assert "/ws" in app_page and PASSWORD[ANN] not in app_page

    with served(tmp_path, "--db", team, "--sign-in", "accounts") as srv:
        asyncio.run(go(srv))
        log = srv.log.read_text("utf-8")
    assert "with the team store's passwords" in log and "not it" not in log


def test_wrong_tries_in_a_row_slow_down(team, tmp_path):
    async def go(srv):
        async with browser() as http:
            for _ in range(FREE_TRIES):
                assert (await sign_in(http, srv.url, ANN, "guess")).status == 403
            held = await sign_in(http, srv.url, ANN, PASSWORD[ANN])  # even the right one waits
            assert held.status == 429 and "Too many wrong tries: wait 1 second" in await held.text()
            other = await sign_in(http, srv.url, BOB, PASSWORD[BOB])  # another name is heard
            assert other.status == 303
            await asyncio.sleep(1.2)
            assert (await sign_in(http, srv.url, ANN, PASSWORD[ANN])).status == 303

    with served(tmp_path, "--db", team, "--sign-in", "accounts") as srv:
        asyncio.run(go(srv))


def test_the_wait_doubles_up_to_a_minute_and_a_right_password_clears_it():
    now = [0.0]
    throttle, key = Throttle(clock=lambda: now[0]), ("127.0.0.1", "ann")
    waits = []
    for _ in range(FREE_TRIES + 8):
        waits.append(throttle.wait(key))
        throttle.failed(key)
    assert waits == [0] * FREE_TRIES + [1, 2, 4, 8, 16, 32, 60, 60]
    throttle.succeeded(key)
    assert throttle.wait(key) == 0


def test_a_store_that_cannot_be_reached_is_said_on_the_page(tmp_path):
    accounts = StoreAccounts(f"postgresql://postgres@127.0.0.1:{free_port()}/callsim")
    assert accounts.check(ANN, "anything") == StoreAccounts.UNREACHABLE
    assert accounts.check(ANN, "") == StoreAccounts.WRONG  # never the server's own password
    assert accounts.store_for(ANN).startswith(f"postgresql://{ANN}@127.0.0.1:")


async def wait_for(predicate, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.2)
    return predicate()


def command_lines(root_pid: int) -> list[str]:
    """The command lines of a process and everything under it (/proc)."""
    lines = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        session = int(stat.rsplit(")", 1)[1].split()[3])  # the process's session id
        if session == root_pid:  # served() starts the server in a session of its own
            lines.append(cmdline.replace("\0", " "))
    return lines


def test_a_signed_in_trainees_app_saves_as_them_and_reads_only_their_calls(team, tmp_path):
    """Ann signs in and takes a call in her session's app: it lands under her name, her app's
    connection is her own role (so RLS applies), her password is on no command line, and Bob
    (direct SQL as his role) cannot read her call."""
    reply = "Hi Jordan, I'm really sorry you've had to call us again about this."
    owner_store = Store(team)
    from callsim.engine.transcript import Transcript, Turn

    owner_store.save_call(
        Transcript(
            call_id="bobs-call",
            scenario_id="broadband-down-repeat-caller",
            scenario_version="1.0",
            trainee=BOB,
            started_at="2026-01-05T10:00:00+00:00",
            turns=[Turn(index=0, speaker="customer", text="It's down.", at=0, stage="opening")],
        )
    )

    async def go(srv):
        async with browser() as http:
            assert (await sign_in(http, srv.url, ANN, PASSWORD[ANN])).status == 303
            ws = await http.ws_connect(srv.url.replace("http", "ws") + "/ws?width=120&height=40")
            out: list[str] = []

            async def read():
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        out.append(msg.data.decode("utf-8", "replace"))

            reader = asyncio.create_task(read())

            def seen(since: int = 0) -> str:
                return ANSI.sub("", "".join(out[since:]))

            async def shown(words: str, since: int = 0) -> None:
                assert await wait_for(lambda: words in seen(since), 30), (words, seen()[-2000:])

            send = lambda keys: ws.send_json(["stdin", keys])  # noqa: E731
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            await shown("Broadband down for days")
            for attempt in range(4):  # a busy machine's app may drop or reorder early keys
                await asyncio.sleep(2)
                await send("/")
                await asyncio.sleep(0.3)
                await send("\x15repeat caller")
                await asyncio.sleep(1.5)
                mark = len(out)
                await send("\r")
                await asyncio.sleep(1)
                await send("\r")
                if await wait_for(lambda m=mark: "Practice" in seen(m), 10):
                    if "Jordan Reeves" in seen(mark):
                        break
                assert attempt < 3, "the repeat caller's briefing never opened"
                await send("\x1b")
                await asyncio.sleep(0.5)
                await send("\x1b")
            await send("p")
            await shown("Type your reply")
            with psycopg.connect(team, autocommit=True) as owner:
                users = owner.execute(
                    "SELECT DISTINCT usename FROM pg_stat_activity "
                    "WHERE datname = current_database()"
                ).fetchall()
            assert (ANN,) in users  # the app's own connection is Ann's role
            assert not any(PASSWORD[ANN] in line for line in command_lines(srv.process.pid))
            mark = len(out)
            await send(reply)
            await asyncio.sleep(0.3)
            await send("\r")
            await shown("You: Hi Jordan", since=mark)
            await asyncio.sleep(0.5)
            await ws.close()
            reader.cancel()

    with served(tmp_path, "--db", team, "--sign-in", "accounts") as srv:
        asyncio.run(go(srv))
        assert asyncio.run(wait_for(lambda: len(owner_store.list_calls(trainee=ANN)) == 1))
    [call] = owner_store.list_calls(trainee=ANN)
    said = [t.text for t in owner_store.transcript(call.id).turns if t.speaker == "trainee"]
    assert said == [reply]
    as_bob = team.replace("postgresql://postgres@", f"postgresql://{BOB}@", 1)
    with psycopg.connect(as_bob, password=PASSWORD[BOB], autocommit=True) as bob:
        assert bob.execute("SELECT id FROM calls").fetchall() == [("bobs-call",)]
        assert (
            bob.execute("SELECT count(*) FROM turns WHERE call_id = %s", (call.id,)).fetchone()[0]
            == 0
        )
    assert os.environ.get("PGPASSWORD") != PASSWORD[ANN]  # nothing leaked into the test's env
