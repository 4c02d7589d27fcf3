"""`callsim serve`: loopback unless asked, an identity per browser session, settings that stay
with their session. Runs the real server and its app processes (websocket clients on loopback)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import aiohttp
import pytest
from serving import served

from callsim.sim.cli import main

F9 = "\x1b[20~"  # the app's light/dark key, which saves the theme to the session's app.json


def test_a_host_beyond_this_machine_needs_public(capsys):
    code = main(["serve", "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert code == 2 and "reachable from other machines; add --public" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--public-url", "training.example.org"], "is not an http(s) address"),
        (["--user-header", " "], "--user-header needs a header name"),
    ],
)
def test_bad_options_are_refused(capsys, args, message):
    assert main(["serve", *args]) == 2
    assert message in capsys.readouterr().err


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1, as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(http: aiohttp.ClientSession, url: str, name: str) -> aiohttp.ClientResponse:
    return await http.post(f"{url}/sign-in", data={"trainee": name}, allow_redirects=False)


async def open_app(http: aiohttp.ClientSession, url: str, **headers: str):
    """A browser session's websocket, once its app has drawn its first screen."""
    ws = await http.ws_connect(f"{url.replace('http', 'ws')}/ws?width=100&height=30",
                               headers=headers)  # fmt: skip
    await ws.send_json(["resize", {"width": 100, "height": 30}])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        msg = await ws.receive(timeout=20)
        if msg.type == aiohttp.WSMsgType.BINARY or msg.type == aiohttp.WSMsgType.TEXT:
            break
    return ws


async def wait_for(predicate, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.2)
    return predicate()


def test_sign_in_page_refuses_bad_names_verbatim(tmp_path):
    async def go(srv):
        async with browser() as http:
            page = await (await http.get(srv.url + "/")).text()
            assert "Who is training?" in page and 'name="trainee"' in page
            bad = await sign_in(http, srv.url, "/end <b>x</b>")
            text = await bad.text()
            assert bad.status == 400 and "is a command, not a name" in text
            assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text  # shown, inert
            async with browser() as stranger:  # no sign-in: no app
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await stranger.ws_connect(srv.url.replace("http", "ws") + "/ws")
                assert refused.value.status == 403
            ok = await sign_in(http, srv.url, "  Ann   Lee ")
            assert ok.status == 303 and "HttpOnly" in ok.headers["Set-Cookie"]
            app_page = await (await http.get(srv.url + "/")).text()
            assert "/ws" in app_page and "Who is training?" not in app_page

    with served(tmp_path) as srv:
        asyncio.run(go(srv))


def test_what_one_session_saves_stays_with_it(tmp_path):
    """Two trainees signed in from two browsers: each app runs as its own trainee, and the
    theme one of them changes is saved in that session's folder only."""

    async def go(srv):
        async with browser() as ann, browser() as bob:
            await sign_in(ann, srv.url, "Ann")
            await sign_in(bob, srv.url, "Bob")
            ws_ann = await open_app(ann, srv.url)
            ws_bob = await open_app(bob, srv.url)
            assert await wait_for(lambda: len(srv.sessions()) == 2)
            await asyncio.sleep(1.5)  # the apps are up and watching their theme
            await ws_ann.send_json(["stdin", F9])
            saved = lambda: [p for p in srv.sessions() if (p / "app.json").exists()]  # noqa: E731
            assert await wait_for(lambda: len(saved()) == 1), srv.log.read_text("utf-8")
            await asyncio.sleep(1)
            (folder,) = saved()
            assert json.loads((folder / "app.json").read_text("utf-8"))["theme"]
            others = [p for p in srv.sessions() if p != folder]
            assert len(others) == 1 and not (others[0] / "app.json").exists()
            assert not (others[0] / "trainee.json").exists()  # names come from the sign-in
            await ws_ann.close()
            await ws_bob.close()

    with served(tmp_path) as srv:
        asyncio.run(go(srv))


def test_behind_a_proxy_the_user_header_names_the_trainee(tmp_path):
    async def go(srv):
        async with browser() as http:
            nobody = await http.get(srv.url + "/")
            assert nobody.status == 403 and "X-Remote-User" in await nobody.text()
            page = await http.get(srv.url + "/", headers={"X-Remote-User": "ann"})
            assert page.status == 200 and "/ws" in await page.text()
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await http.ws_connect(srv.url.replace("http", "ws") + "/ws")
            ws = await open_app(http, srv.url, **{"X-Remote-User": "ann"})
            ws2 = await open_app(http, srv.url, **{"X-Remote-User": "bob"})
            assert await wait_for(lambda: len(srv.sessions()) == 2)
            assert {p.parent.name for p in srv.sessions()} == {"users"}
            await ws.close()
            await ws2.close()

    with served(tmp_path, "--user-header", "X-Remote-User") as srv:
        asyncio.run(go(srv))


def test_another_sites_page_cannot_open_a_trainees_app(tmp_path):
    async def go(srv):
        async with browser() as http:
            await sign_in(http, srv.url, "Ann")
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(
                    srv.url.replace("http", "ws") + "/ws", origin="https://evil.example"
                )
            assert refused.value.status == 403

    with served(tmp_path) as srv:
        asyncio.run(go(srv))


def test_stopping_the_server_removes_its_temporary_folder(tmp_path):
    import subprocess
    import sys

    from serving import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "callsim", "serve", "--port", str(port),
         "--db", str(tmp_path / "c.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    first = proc.stdout.readline()
    assert first.startswith(f"callsim serving on http://127.0.0.1:{port}"), first
    folder = Path(proc.stdout.readline().split("session settings under ", 1)[1].strip())
    assert folder.is_dir()
    proc.terminate()
    assert proc.wait(timeout=15) == 0
    assert not folder.exists()


ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")


def test_a_tab_closed_mid_call_keeps_the_turns_sent(tmp_path):
    """The trainee closes the tab after one reply: the call and that reply are in the store,
    open (not finished), under the signed-in name, so `m` offers it to resume."""
    reply = "Hi Jordan, I'm really sorry you've had to call us again about this."

    async def go(srv):
        async with browser() as http:
            await sign_in(http, srv.url, "Ann")
            ws = await http.ws_connect(srv.url.replace("http", "ws") + "/ws?width=120&height=40")
            out: list[str] = []

            async def read():
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        out.append(msg.data.decode("utf-8", "replace"))

            reader = asyncio.create_task(read())

            async def shown(words: str, since: int = 0) -> None:
                assert await wait_for(lambda: words in ANSI.sub("", "".join(out[since:])), 30), (
                    words
                )

            send = lambda keys: ws.send_json(["stdin", keys])  # noqa: E731
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            await shown("Broadband down for days")
            for attempt in range(4):  # a busy machine's app may drop or reorder early keys
                await asyncio.sleep(2)
                await send("/")
                await asyncio.sleep(0.3)
                await send("\x15repeat caller")  # Ctrl+U clears the box first
                await asyncio.sleep(1.5)
                mark = len(out)
                await send("\r")
                await asyncio.sleep(1)
                await send("\r")
                if await wait_for(lambda m=mark: "Practice" in ANSI.sub("", "".join(out[m:])), 10):
                    if "Jordan Reeves" in ANSI.sub("", "".join(out[mark:])):
                        break  # the repeat caller's briefing
                assert attempt < 3, "the repeat caller's briefing never opened"
                await send("\x1b")
                await asyncio.sleep(0.5)
                await send("\x1b")
            await send("p")
            await shown("Type your reply")
            mark = len(out)
            await send(reply)
            await asyncio.sleep(0.3)
            await send("\r")
            await shown("You: Hi Jordan", since=mark)  # in the conversation: taken
            await asyncio.sleep(0.5)
            await ws.close()  # the tab is closed
            reader.cancel()

    with served(tmp_path) as srv:
        asyncio.run(go(srv))
        from callsim.sim.store import Store

        store = Store(srv.db)
        assert asyncio.run(wait_for(lambda: len(store.list_calls()) == 1))
        [call] = store.list_calls()
        transcript = store.transcript(call.id)
    assert call.trainee == "Ann" and transcript.outcome is None
    assert [t.text for t in transcript.turns if t.speaker == "trainee"] == [reply]


def test_a_team_servers_url_reaches_every_session_as_given(tmp_path, monkeypatch):
    from callsim.sim.serve import _store_target

    url = "postgresql://ann@127.0.0.1:5432/callsim"
    assert _store_target(url) == url  # not turned into a file path under the current folder
    monkeypatch.chdir(tmp_path)
    assert _store_target("calls.db") == str(tmp_path.resolve() / "calls.db")
