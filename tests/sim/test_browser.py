"""A trainee takes a call in a real browser: `callsim serve` driven by headless Chromium.

Playwright for Python drives Debian's Chromium (`/usr/bin/chromium`, or `CALLSIM_CHROMIUM`;
Playwright's own browser download is never used; `.ci/start.d/chromium.sh` installs it in CI).
The app draws on a canvas, so what the trainee sees is read from the terminal output the page
receives over its websocket (escape sequences removed), and the saved call from the store. A
screenshot of the debrief is kept under the test's tmp path.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from serving import served
from test_serve_accounts import ANN, PASSWORD, StoreAccounts, team  # noqa: F401 (a fixture)

from callsim.sim.cli import main
from callsim.sim.store import Store

CHROMIUM = os.environ.get("CALLSIM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCRIPT = Path(__file__).parent / "scripts" / "broadband-down-repeat-caller.good.txt"
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium; CI installs it "
        "with .ci/start.d/chromium.sh)",
        allow_module_level=True,
    )


class Screen:
    """Everything the app has sent the page, as text, to wait for what the trainee sees."""

    def __init__(self, page, shots: Path) -> None:
        self.chunks: list[str] = []
        self.shots = shots
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        self.chunks.append(data)

    def text(self) -> str:
        return ANSI.sub("", "".join(self.chunks))

    def mark(self) -> int:
        return len(self.chunks)

    def wait_for(self, page, *words: str, since: int = 0, timeout: float = 20) -> str:
        """The first of `words` the app draws (since chunk `since`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = ANSI.sub("", "".join(self.chunks[since:]))
            for w in words:
                if w in text:
                    return w
            page.wait_for_timeout(100)
        page.screenshot(path=str(self.shots / "never-shown.png"))  # what was there instead
        raise AssertionError(f"never shown: {words!r}\n---\n{self.text()[-3000:]}")


def chromium(pw, tmp_path: Path):
    """Debian's Chromium with a fresh profile."""
    return pw.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        viewport={"width": 1280, "height": 800},
    )


def new_page(browser, shots: Path):
    """A tab that reaches nothing beyond this machine, and what its app draws."""
    page = browser.new_page()
    # nothing leaves this machine (the page asks Google for a font)
    page.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    return page, Screen(page, shots)


def open_repeat_caller(page, screen: Screen):
    """From the home screen, the repeat caller's briefing; the keyboard, to go on."""
    page.focus("#terminal .xterm-helper-textarea")  # where xterm.js takes keys
    keys = page.keyboard
    for attempt in range(4):  # a busy machine's app may drop or reorder early keys
        page.wait_for_timeout(2000)
        keys.press("/")
        page.wait_for_timeout(300)
        keys.press("Control+u")  # an empty search box
        keys.type("repeat caller")
        page.wait_for_timeout(1500)  # the list narrows as the words arrive
        mark = screen.mark()
        keys.press("Enter")  # to the list, narrowed to the scenario
        page.wait_for_timeout(1000)
        keys.press("Enter")  # its briefing
        try:
            screen.wait_for(page, "Practice", since=mark, timeout=10)
            if "Jordan Reeves" in ANSI.sub("", "".join(screen.chunks[mark:])):
                return keys  # the repeat caller's briefing
        except AssertionError:
            pass
        assert attempt < 3, "the repeat caller's briefing never opened"
        keys.press("Escape")  # back home, and try again
        page.wait_for_timeout(500)
        keys.press("Escape")
    raise AssertionError("unreachable")


def expected_answers(replies: list[str], tmp_path: Path, capsys) -> list[str]:
    """The customer's first words after each reply, from the same call played headless."""
    script = tmp_path / "two-replies.txt"
    script.write_text("\n".join(replies) + "\n", encoding="utf-8")
    code = main(["run", "broadband-down-repeat-caller", "--script", str(script), "--json",
                 "--no-save", "--trainee", "x"])  # fmt: skip
    turns = json.loads(capsys.readouterr().out)["turns"]
    assert code == 0
    return [
        " ".join(turns[i + 1]["text"].split()[:3])
        for i, t in enumerate(turns)
        if t["speaker"] == "trainee"
    ]


def test_a_trainee_takes_a_call_in_chromium(tmp_path, capsys):
    replies = SCRIPT.read_text(encoding="utf-8").splitlines()[:2]
    answers = expected_answers(replies, tmp_path, capsys)
    with served(tmp_path) as srv, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            page = browser.new_page()
            # nothing leaves this machine (the page asks Google for a font)
            page.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
            screen = Screen(page, tmp_path)
            page.goto(srv.url + "/")
            page.fill("#trainee", "Ann Browser")
            page.click("#sign-in")
            page.wait_for_selector("#terminal canvas, #terminal .xterm", timeout=20_000)
            screen.wait_for(page, "Broadband down for days")  # the scenario list is up
            keys = open_repeat_caller(page, screen)
            keys.press("p")
            screen.wait_for(page, "Type your reply")  # the call, the customer's first line
            for text, answer in zip(replies, answers, strict=True):
                mark = screen.mark()
                keys.type(text, delay=2)
                keys.press("Enter")
                screen.wait_for(page, answer, since=mark)  # the customer answers
            keys.press("F10")
            keys.press("Enter")  # yes, end the call
            screen.wait_for(page, "Wrap up")
            keys.press("F10")
            screen.wait_for(page, "notes")
            keys.type("Issue: no sync since Monday. Next: line test and engineer.")
            mark = screen.mark()
            keys.press("Control+s")
            if screen.wait_for(page, "Grade", "Assess yourself", since=mark) != "Grade":
                keys.press("Escape")  # the self-assessment is offered first: skip it
                screen.wait_for(page, "Grade", since=mark, timeout=30)
            page.wait_for_timeout(1500)  # let the grade settle on screen
            shot = tmp_path / "debrief.png"
            page.screenshot(path=str(shot))
            shown = screen.text()
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    [call] = Store(srv.db).list_calls()
    assert call.trainee == "Ann Browser"  # the sign-in's name, given to this session's app only
    transcript = Store(srv.db).transcript(call.id)
    said = [t.text for t in transcript.turns if t.speaker == "trainee"]
    assert said == replies
    saved = [
        " ".join(transcript.turns[i + 1].text.split()[:3])
        for i, t in enumerate(transcript.turns)
        if t.speaker == "trainee"
    ]
    assert saved == answers  # the answers seen are the ones saved
    grade = Store(srv.db).grade(call.id)
    assert grade is not None and f"{grade.score}/100" in shown
    print(f"screenshot: {shot}")


def test_a_call_cut_off_by_a_closed_tab_is_resumed_in_a_new_one(tmp_path, capsys):
    """One reply, the tab closed; a new tab (the same browser, still signed in) lists the call
    as cut off under `m`, Enter carries it on with the earlier turn shown, and the next reply
    is saved to the same call."""
    first, second = SCRIPT.read_text(encoding="utf-8").splitlines()[:2]
    answers = expected_answers([first, second], tmp_path, capsys)
    with served(tmp_path) as srv, playwright.sync_playwright() as pw:
        browser = chromium(pw, tmp_path)
        try:
            page, screen = new_page(browser, tmp_path)
            page.goto(srv.url + "/")
            page.fill("#trainee", "Ann Resume")
            page.click("#sign-in")
            screen.wait_for(page, "Broadband down for days")
            keys = open_repeat_caller(page, screen)
            keys.press("p")
            screen.wait_for(page, "Type your reply")
            mark = screen.mark()
            keys.type(first, delay=2)
            keys.press("Enter")
            screen.wait_for(page, answers[0], since=mark)
            page.close()  # the tab is closed mid-call

            page, screen = new_page(browser, tmp_path)
            page.goto(srv.url + "/")  # the cookie: no sign-in again
            screen.wait_for(page, "Broadband down for days")
            page.focus("#terminal .xterm-helper-textarea")
            keys = page.keyboard
            page.wait_for_timeout(1500)
            keys.press("m")
            screen.wait_for(page, "cut off")
            mark = screen.mark()
            keys.press("Enter")  # carry on where it stopped
            screen.wait_for(page, "Type your reply", since=mark, timeout=30)
            page.wait_for_timeout(1000)
            assert first[:40] in ANSI.sub("", "".join(screen.chunks[mark:]))  # the earlier turn
            page.screenshot(path=str(tmp_path / "resumed.png"))
            mark = screen.mark()
            keys.type(second, delay=2)
            keys.press("Enter")
            screen.wait_for(page, answers[1], since=mark)
            page.wait_for_timeout(1000)
        finally:
            browser.close()
    [call] = Store(srv.db).list_calls()
    said = [t.text for t in Store(srv.db).transcript(call.id).turns if t.speaker == "trainee"]
    assert call.trainee == "Ann Resume" and said == [first, second]


def test_signing_in_with_a_password_in_chromium(team, tmp_path):  # noqa: F811 (the fixture)
    """The sign-in page with the team store's accounts: a wrong password is refused on the page
    (the name kept, the password not), the right one opens the app as that person."""
    with served(tmp_path, "--db", team, "--sign-in", "accounts") as srv:
        with playwright.sync_playwright() as pw:
            browser = chromium(pw, tmp_path)
            try:
                page, screen = new_page(browser, tmp_path)
                page.goto(srv.url + "/")
                page.fill("#trainee", ANN)
                page.fill("#password", "not the password")
                page.click("#sign-in")
                alert = page.wait_for_selector('[role="alert"]', timeout=10_000)
                assert alert.inner_text() == StoreAccounts.WRONG
                assert page.input_value("#trainee") == ANN
                assert page.input_value("#password") == ""
                page.screenshot(path=str(tmp_path / "sign-in-refused.png"))
                page.fill("#password", PASSWORD[ANN])
                page.click("#sign-in")
                page.wait_for_selector("#terminal canvas, #terminal .xterm", timeout=20_000)
                screen.wait_for(page, "Broadband down for days")
                assert ANN in screen.text()  # the app runs as the person who signed in
            finally:
                browser.close()
