"""Issue 15, item 4: a team's config.toml (system-wide and the user's) and `callsim locate`.

Real files in tmp_path and real SQLite stores: each precedence level, relative paths, files
with mistakes (said with FILE:LINE:COL, exit 2, no traceback; the app opens anyway), a
password in the store's URL, what `locate` prints, and `run`/`sessions` on the configured
store and scenario folder.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from callsim.sim.cli import main
from callsim.sim.config import read_config, system_config_path
from callsim.sim.store import Store

pytestmark = pytest.mark.usefixtures("close_stores")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "sim" / "scripts" / "broadband-down-repeat-caller.good.txt"
URL = "postgresql://ana@db.example:5432/callsim"


@pytest.fixture
def system(tmp_path, monkeypatch) -> Path:
    """The system-wide file's path (made by each test that wants one); no CALLSIM_DB set."""
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("CALLSIM_SYSTEM_CONFIG", str(path))
    monkeypatch.delenv("CALLSIM_DB", raising=False)
    return path


@pytest.fixture
def user(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "home-config"
    folder.mkdir()
    monkeypatch.setenv("CALLSIM_CONFIG_DIR", str(folder))
    return folder / "config.toml"


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def locate(capsys, thing: str) -> list[str]:
    code, out, err = cli(capsys, "locate", thing)
    assert code == 0, err
    return out.splitlines()


# -- precedence ---------------------------------------------------------------------------------


def test_each_level_wins_over_the_ones_below(capsys, system, user, tmp_path, monkeypatch):
    assert locate(capsys, "db")[0].endswith("(default: callsim.db in the user's data folder)")
    system.write_text(f'db = "{URL}"\n')
    assert locate(capsys, "db") == [f"db: {URL} (from {system})"]
    user.write_text('db = "/srv/mine.db"\n')
    assert locate(capsys, "db") == [f"db: /srv/mine.db (from {user})"]
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "env.db"))
    assert locate(capsys, "db") == [f"db: {tmp_path / 'env.db'} (from CALLSIM_DB)"]
    # and an option over everything: the store a command really opens
    code, out, _ = cli(capsys, "sessions", "--db", tmp_path / "option.db")
    assert code == 0 and f"store: {tmp_path / 'option.db'}" in out
    code, out, _ = cli(capsys, "sessions")
    assert code == 0 and f"store: {tmp_path / 'env.db'}" in out


def test_the_system_file_is_in_etc_unless_the_variable_names_another(monkeypatch, capsys):
    monkeypatch.delenv("CALLSIM_SYSTEM_CONFIG")
    assert system_config_path() == (Path("/etc/callsim/config.toml"), "default")
    first = locate(capsys, "config")[0]
    assert first.startswith("config: /etc/callsim/config.toml (system-wide")


def test_a_key_the_user_does_not_set_still_comes_from_the_system_file(capsys, system, user):
    system.write_text(f'db = "{URL}"\ntheme = "nord"\n')
    user.write_text('theme = "dracula"\n')
    assert locate(capsys, "db") == [f"db: {URL} (from {system})"]
    assert locate(capsys, "theme") == [f"theme: dracula (from {user})"]


def test_command_line_scenario_folders_replace_the_configured_ones(system, tmp_path):
    from callsim.sim.config import scenario_dirs

    system.write_text('scenarios = ["/srv/team", "/srv/more"]\n')
    assert scenario_dirs() == [Path("/srv/team"), Path("/srv/more")]
    assert scenario_dirs([str(tmp_path)]) == [tmp_path]


def test_relative_paths_are_read_from_the_files_folder(capsys, system, tmp_path, monkeypatch):
    (system.parent / "shared").mkdir()
    system.write_text(
        'db = "calls.db"\nscenarios = ["shared", "../elsewhere"]\nrubric = "team/rubric.yaml"\n'
        'levels = "levels.yaml"\n'
    )
    monkeypatch.chdir(tmp_path)  # not where the file is
    etc = system.parent
    assert locate(capsys, "db") == [f"db: {etc / 'calls.db'} (from {system})"]
    assert locate(capsys, "scenarios")[:2] == [
        f"scenarios: {etc / 'shared'} (from {system})",
        f"scenarios: {tmp_path / 'elsewhere'} (from {system}; not there)",
    ]
    assert locate(capsys, "rubric") == [
        f"rubric: {etc / 'team' / 'rubric.yaml'} (from {system}; not there)"
    ]
    from callsim.sim.levels import levels_path

    assert levels_path() == etc / "levels.yaml"


# -- what run and sessions really use ----------------------------------------------------------


def test_run_and_sessions_use_the_configured_store_and_scenario_folder(capsys, system, tmp_path):
    team = system.parent / "team-scenarios"
    team.mkdir()
    text = (ROOT / "scenarios" / "broadband-down-repeat-caller.yaml").read_text()
    text = text.replace("id: broadband-down-repeat-caller", "id: team-broadband", 1)
    (team / "team-broadband.yaml").write_text(text)
    system.write_text('db = "team.db"\nscenarios = ["team-scenarios"]\n')
    code, out, err = cli(capsys, "run", "team-broadband", "--script", SCRIPT, "--trainee", "ann")
    assert code == 0, err
    store = system.parent / "team.db"
    [call] = Store(store).list_calls()
    assert call.scenario_id == "team-broadband" and call.trainee == "ann"
    code, out, _ = cli(capsys, "sessions")
    assert code == 0 and call.id[:8] in out and "team-broadband" in out


def test_grade_uses_the_configured_rubric(capsys, system, tmp_path):
    rubric = system.parent / "rubric.yaml"
    shutil.copy(ROOT / "tests" / "grading" / "fixtures" / "rubrics" / "small.yaml", rubric)
    code, out, err = cli(capsys, "run", "broadband-down-repeat-caller", "--script", SCRIPT,
                         "--json", "--no-save")  # fmt: skip
    assert code == 0, err
    transcript = tmp_path / "call.json"
    transcript.write_text(out)
    code, out, err = cli(capsys, "grade", transcript, "--json")
    assert code == 0 and json.loads(out)["rubric"]["id"] == "default"
    system.write_text('rubric = "rubric.yaml"\n')
    assert locate(capsys, "rubric") == [f"rubric: {rubric} (from {system})"]
    code, out, err = cli(capsys, "grade", transcript, "--json")
    assert code == 0, err
    assert json.loads(out)["rubric"]["id"] == "small"
    rubric.write_text("format: 1\nid: [\n")
    code, out, err = cli(capsys, "grade", transcript)
    assert code == 1 and f"the rubric {rubric} (from {system}) has errors" in err


def test_calls_taken_are_graded_against_the_configured_rubric(capsys, system, tmp_path):
    shutil.copy(ROOT / "tests" / "grading" / "fixtures" / "rubrics" / "small.yaml",
                system.parent / "team-rubric.yaml")  # fmt: skip
    system.write_text('db = "team.db"\nrubric = "team-rubric.yaml"\n')
    code, out, err = cli(capsys, "run", "broadband-down-repeat-caller", "--script", SCRIPT,
                         "--json", "--trainee", "ann")  # fmt: skip
    assert code == 0 and err == ""
    grade = json.loads(out)["grade"]
    assert grade["rubric"]["id"] == "small"
    assert [d["id"] for d in grade["dimensions"]] == ["empathy", "promises"]
    store = Store(system.parent / "team.db")
    [call] = store.list_calls()
    assert store.grade(call.id).rubric_id == "small"  # saved as graded
    # a rubric with errors: said, and the call is graded against the bundled one
    (system.parent / "team-rubric.yaml").write_text("format: 1\nid: [\n")
    code, out, err = cli(capsys, "run", "broadband-down-repeat-caller", "--script", SCRIPT,
                         "--json", "--no-save")  # fmt: skip
    assert code == 0
    assert f"warning: the rubric {system.parent / 'team-rubric.yaml'} (from {system}) cannot " \
        "be used" in err and "graded against the bundled rubric" in err
    assert json.loads(out)["grade"]["rubric"]["id"] == "default"


def test_the_theme_palette_choice_wins_over_config_and_the_option_over_both(system):
    from callsim.sim.app_settings import save_theme
    from callsim.sim.commands.app import choose_theme

    system.write_text('theme = "nord"\n')
    assert choose_theme(None) == ("nord", None)
    save_theme("dracula")
    assert choose_theme(None) == ("dracula", None)
    assert choose_theme("gruvbox") == ("gruvbox", None)


# -- files with mistakes -----------------------------------------------------------------------


def test_a_syntax_error_is_said_with_its_line_and_column(capsys, user):
    user.write_text('theme = "nord"\ndb = \n')
    code, out, err = cli(capsys, "sessions")
    assert code == 2 and out == ""
    assert f"{user}:2:6: error: Invalid value" in err
    assert "callsim locate config" in err


def test_a_wrong_type_names_the_key_and_its_line(capsys, user):
    user.write_text('# the team\n\ntheme = 3\nscenarios = "/srv/one"\n')
    code, _, err = cli(capsys, "sessions")
    assert code == 2
    assert f"{user}:3:1: error: 'theme' must be a Textual theme's name" in err
    assert "not a number" in err
    assert f"{user}:4:1: error: 'scenarios' must be a list of folders" in err


def test_an_unknown_key_is_named_with_the_keys_there_are(capsys, user):
    user.write_text('db = "a.db"\n  colour = "red"\n[server]\nhost = "x"\n')
    code, _, err = cli(capsys, "sessions")
    assert code == 2
    assert f"{user}:2:3: error: unknown key 'colour' (callsim reads: db, levels, rubric, " in err
    assert f"{user}:3:1: error: unknown key 'server'" in err


@pytest.mark.parametrize("kind", ["folder", "not utf-8"])
def test_a_file_that_cannot_be_read(capsys, user, kind):
    if kind == "folder":
        user.mkdir()
        said = "it is a folder, not a file"
    else:
        user.write_bytes(b'theme = "caf\xe9"\n')
        said = "byte 12 is not UTF-8"
    code, _, err = cli(capsys, "sessions")
    assert code == 2
    assert f"{user}: error: cannot read it: {said}" in err


def test_a_password_in_the_store_url_is_refused_and_not_repeated(capsys, system):
    system.write_text('db = "postgresql://ana:s3cret@db.example:5432/callsim"\n')
    code, out, err = cli(capsys, "sessions")
    assert code == 2
    assert f"{system}:1:1: error: 'db' holds a password" in err and "PGPASSWORD" in err
    assert "s3cret" not in err + out
    code, out, err = cli(capsys, "locate", "db")  # left out: the default store, and exit 2
    assert code == 2 and "default: callsim.db" in out and "s3cret" not in out + err


def test_locate_lists_the_files_and_their_problems(capsys, system, user):
    system.write_text(f'db = "{URL}"\n')
    user.write_text("theme = \n")
    code, out, err = cli(capsys, "locate", "config")
    assert code == 2
    assert out.splitlines() == [
        f"config: {system} (system-wide, named by CALLSIM_SYSTEM_CONFIG; read)",
        f"config: {user} (the user's, named by CALLSIM_CONFIG_DIR; 1 problem(s), see above)",
    ]
    assert err.startswith(f"{user}:1:9: error: Invalid value")


def test_locate_json_and_every_thing_at_once(capsys, system):
    system.write_text(f'db = "{URL}"\nscenarios = ["/srv/team"]\n')
    code, out, _ = cli(capsys, "locate", "--json")
    assert code == 0
    found = json.loads(out)
    assert set(found) == {"config", "db", "scenarios", "rubric", "theme", "levels", "problems"}
    assert found["db"] == [
        {"value": URL, "source": "system", "from": str(system), "why": f"from {system}"}
    ]
    assert [e["value"] for e in found["scenarios"]][0] == "/srv/team"
    assert found["scenarios"][-1]["why"] == "bundled, searched after any above"
    assert found["rubric"][0]["source"] == "default" and found["problems"] == []
    code, out, _ = cli(capsys, "locate")
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "config", "config", "db", "scenarios", "scenarios", "rubric", "theme", "levels",
    ]  # fmt: skip
    code, _, err = cli(capsys, "locate", "dbb")
    assert code == 2 and "'dbb' is not one of: config, db, scenarios" in err


async def test_the_app_opens_on_a_bad_config_and_says_why(capsys, user, tmp_path):
    from callsim.sim.commands.app import build

    user.write_text('theme = "no-such-theme"\nscenarios = ["gone"]\nwhat = 1\nrubric = "r.yaml"\n')
    args = argparse.Namespace(scenarios=[], trainee="ann", db=str(tmp_path / "a.db"))
    app = build(args)
    assert not isinstance(app, int)
    err = capsys.readouterr().err
    assert f"{user}:3:1: error: unknown key 'what'" in err
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        said = [str(n.message) for n in app._notifications]
        assert any("unknown key 'what'" in s for s in said)
        assert any("no theme named 'no-such-theme'" in s for s in said)
        assert any(f"{user.parent / 'gone'}" in s and "not there" in s for s in said)
        assert any(f"the rubric {user.parent / 'r.yaml'}" in s for s in said)
        shown = " ".join(str(t.render()) for t in app.screen.query("Toast"))
        assert "unknown key 'what'" in shown  # over the home screen, not only in the log


# -- the sample in docs/team.md ----------------------------------------------------------------


def test_the_sample_config_in_the_team_guide_loads(tmp_path):
    text = (ROOT / "docs" / "team.md").read_text(encoding="utf-8")
    section = text.split("## Configuring a team's machines", 1)[1]
    sample = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "config.toml"
    path.write_text(sample, encoding="utf-8")
    found = read_config(path, "default", "system")
    assert found.problems == []
    assert set(found.values) == {"db", "scenarios", "rubric", "theme", "levels"}
    assert str(found.values["db"]).startswith("postgresql://")


def test_without_a_config_nothing_changes(capsys):
    """The conftest's CALLSIM_DB and no files at all: the store is the variable's, as before."""
    lines = locate(capsys, "db")
    assert lines[0].endswith("(from CALLSIM_DB)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux shortcut")
@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-somewhere"])
def test_the_users_file_is_beside_trainee_json_without_the_variable(monkeypatch, xdg):
    """Worked out without importing platformdirs, it must be the folder platformdirs gives."""
    from callsim.sim.config import user_config_path
    from callsim.sim.trainee import config_path

    monkeypatch.delenv("CALLSIM_CONFIG_DIR")
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    assert user_config_path() == (config_path().with_name("config.toml"), "default")


def test_without_a_toml_reader_the_file_is_said_unread(capsys, user, monkeypatch):
    """Python 3.10 has no tomllib, and callsim does not depend on tomli: a config file there
    stops commands with a message instead of being passed over (its store would be missed)."""
    monkeypatch.setitem(sys.modules, "tomllib", None)  # what `import tomllib` finds on 3.10
    monkeypatch.setitem(sys.modules, "tomli", None)
    user.write_text('db = "team.db"\n')
    code, _, err = cli(capsys, "sessions")
    assert code == 2
    assert f"{user}: error: callsim reads config.toml on Python 3.11 or later" in err
