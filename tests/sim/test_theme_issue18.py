"""Issue 18, item 5: the theme chosen in the app is remembered; `--theme NAME` takes any of
Textual's themes, and an unknown one is refused with the list of those there are."""

from __future__ import annotations

import json

import pytest

from callsim.sim.app_settings import saved_theme, settings_path
from callsim.sim.cli import main
from callsim.sim.commands.app import choose_theme
from callsim.sim.trainee import save_trainee
from callsim.tui.app import CallsimApp


async def test_a_theme_chosen_in_the_palette_is_remembered():
    app = CallsimApp(trainee="ann", cursor_blink=False, remember_theme=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Theme: light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "textual-light"
    assert saved_theme() == "textual-light"
    assert choose_theme(None) == ("textual-light", None)  # what the next `callsim app` opens in


async def test_the_app_starts_in_the_theme_given_and_saves_later_changes():
    app = CallsimApp(trainee="ann", cursor_blink=False, theme="nord", remember_theme=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "nord"
        assert saved_theme() is None  # starting in a theme is not choosing one
        await pilot.press("f9")  # light/dark
        await pilot.pause()
    assert saved_theme() == app.theme != "nord"


async def test_an_app_not_asked_to_remember_leaves_the_settings_alone():
    app = CallsimApp(trainee="ann", cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
    assert not settings_path().exists()


def test_theme_flag_takes_any_textual_theme_and_wins_over_the_saved_one():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"theme": "dracula"}))
    assert choose_theme(None) == ("dracula", None)
    assert choose_theme("gruvbox") == ("gruvbox", None)


@pytest.mark.parametrize("content", ['{"theme": "gone-theme"}', "not json", '["x"]', ""])
def test_a_remembered_theme_that_is_no_longer_there_is_passed_over(content):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(content)
    assert choose_theme(None) == (None, None)


def test_an_unknown_theme_lists_the_available_ones(capsys):
    save_trainee("ann")
    assert main(["app", "--theme", "[red]neon"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callsim app: --theme: no theme named '[red]neon'; the themes are: ")
    assert "nord" in err and "textual-light" in err and "Traceback" not in err
    assert main(["--theme", "neon"]) == 2  # `callsim --theme` opens the app, the same rule
    assert "no theme named 'neon'" in capsys.readouterr().err
