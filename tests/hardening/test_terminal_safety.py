"""Text from scenarios, trainees and imported transcripts never reaches a terminal as control
sequences: not in line mode (run, show, grade, sessions, explain, progress, import, export to
stdout), not in the app (conversation, notes, debrief with the mentor's review), and not in the
files a mentor opens (Markdown, HTML with every tag escaped, CSV with formulas neutralised).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hardening_helpers import screen_text, stub_tagger, unsafe_in
from make_hostile import scenario

from callsim.sim import session as sim_session
from callsim.sim.cli import main
from callsim.sim.store import Store

#: In every text field of the scenario; starts like a spreadsheet formula.
SCENARIO_TEXT = (
    "=cmd|' /C calc'!A0 \x1b[31m\x1b]8;;http://x\x1b\\link \x9b2J \u202eRTL\u202c "
    "\rCR \x07 [b]m[/b] <script>s()</script>"
)
#: What a trainee types (a script line cannot hold CR or line separators: they end the line).
TRAINEE_TEXT = "\x1b[2J\x1b]52;c;cm0=\x07 \x9b31m \u202eevil\u202c back\x08 [red]x[/] <b>hi</b>"
SCRIPT = [
    '=HYPERLINK("http://evil") sorry ' + TRAINEE_TEXT,
    "+1 When did it happen? " + TRAINEE_TEXT,
    "/action probe @SUM(A1) " + TRAINEE_TEXT,
    "I will fix it for you today",
    "/notes -2+3 " + TRAINEE_TEXT,
]
TRAINEE = "Ann [b]<i>"


@pytest.fixture(autouse=True)
def _stub_tagger(monkeypatch):
    monkeypatch.setattr(sim_session, "default_tagger", lambda: stub_tagger)


@pytest.fixture
def hostile(tmp_path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(scenario(SCENARIO_TEXT, "hostile"), encoding="utf-8")
    return path


def cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    shown = out + err
    assert "Traceback" not in err
    assert not unsafe_in(shown), (argv[0], unsafe_in(shown), shown[:2000])
    return code, out


def play(capsys, tmp_path, hostile, db, *extra) -> str:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    code, out = cli(capsys, "run", hostile, "--script", script, *extra)
    assert code == 0, out
    return out


def test_line_mode_commands_show_everything_inert(capsys, tmp_path, hostile):
    db = tmp_path / "calls.db"
    out = play(capsys, tmp_path, hostile, db, "--db", db, "--trainee", TRAINEE)
    assert "\\x1b[2J" in out and "\\u202eevil" in out and "\\x0dCR" in out
    [call] = Store(db).list_calls()

    code, out = cli(capsys, "sessions", "--db", db)
    assert code == 0 and TRAINEE in out
    code, out = cli(capsys, "sessions", "--db", db, "--json")
    assert json.loads(out)[0]["trainee"] == TRAINEE
    code, out = cli(capsys, "show", call.id[:8], "--db", db)
    assert code == 0 and "\\x1b]52;c;" in out and "\\x9b31m" in out
    code, out = cli(capsys, "progress", TRAINEE, "--db", db, "--include-scripted")
    assert code == 0
    code, out = cli(capsys, "explain", TRAINEE_TEXT, "--customer", SCENARIO_TEXT)
    assert code == 0 and "\\x1b[2J" in out

    exported = tmp_path / "call.json"
    code, _ = cli(capsys, "export", call.id[:8], "--db", db, "--format", "json", "-o", exported)
    assert code == 0
    code, out = cli(capsys, "grade", exported, "--scenario", hostile)
    assert code == 0 and "\\x1b" in out
    code, out = cli(capsys, "grade", exported, "--scenario", hostile, "--json")
    assert code == 0 and json.loads(out)


def test_json_printed_to_a_terminal_is_inert_and_still_exact(capsys, tmp_path, hostile):
    """JSON keeps every character (it is what `callsim import` reads back) as \\u escapes."""
    out = play(capsys, tmp_path, hostile, None, "--json", "--no-save")
    data = json.loads(out)
    said = [t["text"] for t in data["turns"] if t["speaker"] == "trainee"]
    assert said[0] == SCRIPT[0] and TRAINEE_TEXT in said[1]
    customer = [t["text"] for t in data["turns"] if t["speaker"] == "customer"]
    assert customer[0].startswith(SCENARIO_TEXT)


def test_exports_to_stdout_and_files(capsys, tmp_path, hostile):
    db = tmp_path / "calls.db"
    play(capsys, tmp_path, hostile, db, "--db", db, "--trainee", TRAINEE)
    [call] = Store(db).list_calls()
    outputs = {}
    for fmt in ("md", "html", "csv", "json"):
        code, out = cli(capsys, "export", call.id[:8], "--db", db, "--format", fmt)
        assert code == 0
        outputs[fmt] = out
    html = outputs["html"]
    assert "<script>" not in html and "<b>hi</b>" not in html and "<i>" not in html
    assert "&lt;script&gt;s()&lt;/script&gt;" in html
    rows = list(csv.reader(io.StringIO(outputs["csv"], newline="")))
    header, body = rows[0], rows[1:]
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    texts = [dict(zip(header, row, strict=True))["text"] for row in body]
    assert '\'=HYPERLINK("http://evil") sorry \\x1b[2J' in texts[1]
    assert any(t.startswith("'=cmd|") for t in texts)  # the customer's line, neutralised
    assert json.loads(outputs["json"])["turns"][1]["text"] == SCRIPT[0]
    md = outputs["md"]
    assert "<script>" not in md and "\\x1b\\[2J" in md  # '[' escaped for Markdown


def poison(value, path=()):
    """Every free-text field of an exported call with hostile text added."""
    fixed = {"format", "speaker", "outcome", "mode", "started_at", "ended_at", "call_id"}
    fixed |= {"scenario_id", "scenario_hash", "scenario_path", "scenario_version"}
    if isinstance(value, dict):
        return {k: v if k in fixed else poison(v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, path) for v in value]
    if isinstance(value, str):
        return "@" + value + " " + TRAINEE_TEXT + " \r\u2028 =x"
    return value


def test_an_imported_transcript_shows_inert_everywhere(capsys, tmp_path, hostile):
    db = tmp_path / "calls.db"
    play(capsys, tmp_path, hostile, db, "--db", db, "--trainee", "Ann")
    [call] = Store(db).list_calls()
    code, out = cli(capsys, "export", call.id[:8], "--db", db, "--format", "json")
    data = poison(json.loads(out))
    data["trainee"] = "Bo [b]"  # names hold no control characters; they are still text
    data["call_id"] = "imported-1"
    hostile_file = tmp_path / "hostile-call.json"
    hostile_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = tmp_path / "other.db"
    code, out = cli(capsys, "import", hostile_file, "--db", other)
    assert code == 0, out
    for argv in (
        ("sessions", "--db", other),
        ("sessions", "--db", other, "--json"),
        ("show", "imported", "--db", other),
        ("progress", "Bo [b]", "--db", other),
        ("export", "imported", "--db", other, "--format", "md"),
        ("export", "imported", "--db", other, "--format", "html"),
        ("export", "imported", "--db", other, "--format", "csv"),
        ("export", "imported", "--db", other, "--format", "json"),
        ("grade", hostile_file, "--scenario", hostile),
    ):
        code, out = cli(capsys, *argv)
        assert code == 0, (argv, out)
    assert Store(other).transcript("imported-1").wrap_up == data["wrap_up"]  # kept exactly


async def test_the_app_paints_no_control_characters(tmp_path, hostile):
    from callsim.sim.catalogue import load_entry
    from callsim.tui.app import CallsimApp
    from callsim.tui.debrief import DebriefScreen

    db = Store(tmp_path / "calls.db")
    app = CallsimApp(
        catalogue=[load_entry(hostile)], tagger=stub_tagger, cursor_blink=False, store=db
    )
    async with app.run_test(size=(120, 40)) as pilot:
        seen: dict[str, str] = {}

        async def look(name: str) -> None:
            await pilot.pause()
            seen[name] = screen_text(app)
            assert not unsafe_in(seen[name]), (name, unsafe_in(seen[name]), seen[name])

        await look("home")
        await pilot.press("enter")
        await look("briefing")
        await pilot.press("p")
        await look("call")
        for line in (SCRIPT[0], "/action probe " + TRAINEE_TEXT, "I will fix it for you today"):
            box = app.screen.query_one("#reply")
            box.value = line
            box.focus()
            await pilot.press("enter")
            await look("call")
        assert "\\x1b[2J" in seen["call"]
        await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
        await look("wrap-up")
        from textual.widgets import TextArea

        # Not painted here: Textual's TextArea draws its own text raw (docs/hardening.md); only
        # a paste could bring these characters into it. What matters is they stay inert after.
        app.screen.query_one(TextArea).text = "Notes \x1b[2J\r\x9b \u202eevil"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await look("self-assessment")
        # the trainee's line on what they would do differently is shown in the debrief
        app.screen.query_one("#differently").value = "Next \x1b[2J " + TRAINEE_TEXT
        await pilot.press("3", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await look("debrief")
        assert isinstance(app.screen, DebriefScreen)
        [saved] = db.list_calls()
        # a mentor's review with hostile words, shown in the saved call's debrief
        db.add_comment(saved.id, "Mentor \x1b[2J " + TRAINEE_TEXT, turn=1, author="Mo\x9b")
        db.add_comment(saved.id, "Overall \u202eevil", author="Mo")
        app.go_home()
        transcript = db.transcript(saved.id)
        session = app.rewound_session(app.catalogue[0].loaded, transcript, len(transcript.turns))
        app.push_screen(
            DebriefScreen(session, transcript=transcript, saved_grade=db.grade(saved.id))
        )
        await pilot.pause()
        await app.workers.wait_for_complete()
        await look("review")
        for tab in ("transcript", "grade"):
            app.screen.query_one("#debrief-tabs").active = tab
            await look(f"review-{tab}")
        shown = "\n".join(
            str(app.screen.query_one(f"#{w}").render()) for w in ("grade-text", "transcript-text")
        )
        assert "Mentor \\x1b[2J" in shown and "Notes \\x1b[2J\\x0d\\x9b" in shown
