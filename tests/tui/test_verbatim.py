"""Trainee and scenario text shows exactly as typed: never read as markup, never as escapes."""

from __future__ import annotations

from pathlib import Path

from conftest import SCENARIO, reply, shown_text
from textual.widgets import Static, TextArea

from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.textsafe import terminal_safe
from callsim.tui.call import CallScreen
from callsim.tui.debrief import DebriefScreen

NASTY = "[/] [red]x [$amount] [b \x1b[31mred? [link=http://x]y[/link]"
SHOWN = terminal_safe(NASTY)  # the ESC made visible as \x1b, everything else as typed


async def test_replies_notes_and_debrief_show_text_as_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await reply(pilot, NASTY)
        said = [w for w in screen.query(".turn.-trainee").results(Static)]
        content = said[-1].render()
        assert str(content) == f"You: {SHOWN}"
        assert "\\x1b[31m" in str(content)
        # only our own "You" is styled; nothing the trainee typed changed the styling
        assert all(span.end <= len("You") for span in content.spans)

        await reply(pilot, "/action credit")  # an argument prompt: type markup there too
        app.screen.query_one("#argument").value = NASTY
        await pilot.press("enter")
        await pilot.pause()
        # not an amount: the refusal quotes what was typed (its first 39 characters) as typed
        refusal = str(app.screen.query_one("#argument-error").render())
        assert f"Raise a service credit: '{terminal_safe(NASTY[:39])}…' is not a number" in refusal
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
        await pilot.pause()
        app.screen.query_one(TextArea).text = f"Notes {NASTY}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.transcript.wrap_up == f"Notes {NASTY}"  # stored exactly as typed
        assert f"Notes {SHOWN}" in shown_text(debrief, "#grade-text")
        assert f"You: {SHOWN}" in shown_text(debrief, "#transcript-text")
        assert SHOWN in str(debrief.query_one("#rewind-list").get_option_at_index(0).prompt)


async def test_scenario_text_with_markup_shows_as_written(make_app, tmp_path: Path):
    src = resolve_scenario(SCENARIO).read_text(encoding="utf-8")
    (tmp_path / "markup.yaml").write_text(
        src.replace(f"id: {SCENARIO}", "id: markup-copy")
        .replace('title: "Broadband down for days: the repeat caller"', 'title: "Bills [/] [red]x"')
        .replace("name: Jordan Reeves", 'name: "[b]Jo"')
        .replace('Package: "Fibre 150', 'Package: "[$amount] Fibre 150')
        .replace("label: Run line test", 'label: "Run [b line test"')
        .replace(
            '"Finally. My broadband',
            '"\\e[31mFinally [/]. My broadband',
        ),
        encoding="utf-8",
    )
    app = make_app(extra_dirs=[tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        assert "Bills [/] [red]x" in shown_text(app.screen, "#detail")
        await pilot.press("enter")
        await pilot.pause()
        assert "Caller: [b]Jo" in shown_text(app.screen)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert "[b]Jo: \\x1b[31mFinally [/]. My broadband" in shown_text(screen, ".turn")
        assert "[$amount] Fibre 150" in shown_text(screen, "#account-record")
        assert "Bills [/] [red]x" in shown_text(screen, "#call-title")
        assert "Run [b line test" in str(screen.query_one(".action").label)
        titles = [t for t, _, _ in screen.palette_commands()]
        assert "Action: Run [b line test" in titles
