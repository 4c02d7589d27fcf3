"""Files nobody asked callsim to open: a transcript's own `scenario_path` and `scenario_id`
(imported, untrusted), and what a scenario folder's `intents/` links to. Nothing of a file
outside the folders given is ever printed, and no FIFO or device blocks a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_helpers import unsafe_in

from callsim.engine.loader import BUNDLED_SCENARIOS, load_scenario
from callsim.sim.cli import main
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store

SCENARIO = BUNDLED_SCENARIOS / "broadband-down-repeat-caller.yaml"
MINIMAL = Path(__file__).parent.parent / "engine" / "fixtures" / "good" / "minimal.yaml"
#: A private file that happens to be YAML: every line of it came back in an "unknown key" error.
SECRET = "secret_key: hunter2-s3cr3t\npassword: correct-horse-battery\napi_token: tok-9f8e7d\n"
LEAKS = ("hunter2", "correct-horse", "tok-9f8e7d", "secret_key", "api_token")
TIMEOUT = 60  # a FIFO read would block forever: the subprocess would be killed at this


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out + err


def run_cli(*args, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m callsim ARGS` as a user runs it; a hang fails the test instead of the run."""
    return subprocess.run(
        [sys.executable, "-m", "callsim", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
    )


def assert_nothing_leaked(text: str) -> None:
    assert not [w for w in LEAKS if w in text], text
    assert "Traceback" not in text and not unsafe_in(text)


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "private" / "secrets.yaml"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture
def exported(capsys, tmp_path) -> dict:
    """A real call of a bundled scenario, as `callsim run --script --json` prints it, cut off."""
    script = tmp_path / "script.txt"
    good = Path(__file__).parent.parent / "sim" / "scripts" / f"{SCENARIO.stem}.good.txt"
    script.write_text("\n".join(good.read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    code, out = cli(capsys, "run", "broadband-down-repeat-caller", "--script", script, "--json",
                    "--no-save")  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    data.update(ended_at=None, outcome=None)  # a cut-off call, so `resume` takes it
    data.pop("grade")
    return data


def write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- 1. a transcript names a file ---------------------------------------------------------------


def test_an_imported_scenario_path_is_never_opened(capsys, tmp_path, secret, exported):
    db = tmp_path / "mentor.db"
    exported["scenario_path"] = str(secret)
    exported["call_id"] = "aaaa0001" + exported["call_id"][8:]
    changed = {**exported, "call_id": "bbbb0002" + exported["call_id"][8:]}
    changed["scenario_hash"] = "f" * 64  # no file here has it: found by id, and refused
    files = [write(tmp_path, "same.json", exported), write(tmp_path, "changed.json", changed)]
    code, out = cli(capsys, "import", *files, "--db", db)
    assert code == 0, out
    assert_nothing_leaked(out)
    # grade: the bundled scenario with the call's content, never the path it names
    code, out = cli(capsys, "grade", files[0])
    assert code == 0 and out.startswith("Grade:") and "not found" not in out, out
    assert_nothing_leaked(out)
    code, out = cli(capsys, "grade", files[1])
    assert code == 0 and "has changed since this call was taken" in out
    assert_nothing_leaked(out)
    # resume: replays on the bundled scenario; the changed one is refused by name
    done = run_cli("resume", "aaaa0001", "--db", db, stdin="/end\nnotes\n\n")
    assert done.returncode == 0 and "Resuming call aaaa0001" in done.stdout, done.stderr
    assert_nothing_leaked(done.stdout + done.stderr)
    refused = run_cli("resume", "bbbb0002", "--db", db)
    assert refused.returncode == 1 and "has changed since call bbbb0002" in refused.stderr
    assert_nothing_leaked(refused.stdout + refused.stderr)


def test_a_scenario_id_naming_a_file_is_no_path(capsys, tmp_path, secret, exported):
    exported["scenario_path"] = ""
    for given in (str(secret), "../private/secrets", "secrets"):
        exported["scenario_id"] = given
        path = write(tmp_path, "call.json", exported)
        code, out = cli(capsys, "grade", path, "--scenarios", secret.parent)
        assert code == 0 and f"scenario '{given}' not found" in out, out
        assert_nothing_leaked(out)
    # `import` refuses an id that is not an id; a well-shaped one is still no path to open
    code, out = cli(capsys, "import", path, "--db", tmp_path / "m.db", "--scenarios", secret.parent)
    assert code == 0 and "not graded: its scenario is not here" in out
    assert_nothing_leaked(out)
    done = run_cli("resume", exported["call_id"][:8], "--db", tmp_path / "m.db",
                   "--scenarios", secret.parent)  # fmt: skip
    assert done.returncode == 1 and "scenario 'secrets' version" in done.stderr
    assert "is not among the bundled scenarios or" in done.stderr
    assert_nothing_leaked(done.stdout + done.stderr)


def test_a_fifo_named_by_a_transcript_blocks_nothing(tmp_path, exported):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    exported["scenario_path"] = str(fifo)
    exported["scenario_hash"] = "f" * 64
    path = write(tmp_path, "call.json", exported)
    done = run_cli("grade", path)
    assert done.returncode == 0 and "has changed since this call was taken" in done.stderr
    db = tmp_path / "m.db"
    assert run_cli("import", path, "--db", db).returncode == 0
    done = run_cli("resume", exported["call_id"][:8], "--db", db)
    assert done.returncode == 1 and "has changed since" in done.stderr


def test_a_call_recorded_here_resumes_from_its_own_file(tmp_path):
    """The store's own record (not an import) may name the file: only if it is unchanged."""
    folder = tmp_path / "mine"
    folder.mkdir()
    mine = folder / "my-broadband.yaml"
    mine.write_text(
        SCENARIO.read_text(encoding="utf-8").replace(
            "id: broadband-down-repeat-caller", "id: my-broadband"
        ),
        encoding="utf-8",
    )
    db = tmp_path / "calls.db"
    store = Store(db)
    session = CallSession(load_scenario(mine), trainee="kim", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry about this, that sounds really stressful")
    short = session.call_id[:8]
    done = run_cli("resume", short, "--db", db, stdin="/end\nnotes\n\n")
    assert done.returncode == 0 and f"Resuming call {short}" in done.stdout, done.stderr
    assert Store(db).summary(short).ended
    # the same call imported elsewhere: its path is not opened; the folder given finds it
    out = run_cli("export", short, "--format", "json", "--db", db).stdout
    data = json.loads(out)
    data.update(ended_at=None, outcome=None)
    other = tmp_path / "other.db"
    assert run_cli("import", write(tmp_path, "c.json", data), "--db", other).returncode == 0
    done = run_cli("resume", short, "--db", other)
    assert done.returncode == 1 and "scenario 'my-broadband' version" in done.stderr
    done = run_cli("resume", short, "--db", other, "--scenarios", folder, stdin="/end\n\n\n")
    assert done.returncode == 0, done.stderr


# -- 2. links and special files in a scenario folder's intents/ --------------------------------


@pytest.fixture
def folder(tmp_path) -> Path:
    lib = tmp_path / "library"
    (lib / "intents").mkdir(parents=True)
    (lib / "minimal.yaml").write_bytes(MINIMAL.read_bytes())
    return lib


def test_a_link_out_of_intents_is_refused_by_validate_and_run(tmp_path, folder, secret):
    (folder / "intents" / "leak.yaml").symlink_to(secret)
    script = tmp_path / "script.txt"
    script.write_text("hello\n", encoding="utf-8")
    for args in (("validate", folder), ("run", folder / "minimal.yaml", "--script", script)):
        done = run_cli(*args)
        shown = done.stdout + done.stderr
        assert done.returncode == 1, shown
        assert "intents/leak.yaml:1:1: error: a symbolic link to a file outside" in shown
        assert_nothing_leaked(shown)


def test_a_link_inside_intents_is_read(folder):
    real = folder / "intents" / "shared.yml"
    real.write_text(
        "format: 1\nintents:\n  hello:\n    examples: [hello there, hi, good morning, hey,"
        " hello, hiya, morning, good afternoon]\n",
        encoding="utf-8",
    )
    (folder / "intents" / "alias.yaml").symlink_to(real)
    assert load_scenario(folder / "minimal.yaml").shared_intents["hello"]


def test_an_intents_folder_linked_out_of_its_folder_is_refused(tmp_path, folder, secret):
    (folder / "intents").rmdir()
    (folder / "intents").symlink_to(secret.parent, target_is_directory=True)
    done = run_cli("validate", folder)
    shown = done.stdout + done.stderr
    assert done.returncode == 1 and "the intents folder is a symbolic link out of" in shown
    assert_nothing_leaked(shown)


@pytest.mark.parametrize("where", ["intents/pipe.yaml", "pipe.yaml"])
def test_a_fifo_in_a_scenario_folder_blocks_neither_validate_nor_run(tmp_path, folder, where):
    os.mkfifo(folder / where)
    done = run_cli("validate", folder)
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert f"{where}:1:1: error: not a regular file (a FIFO, device or socket)" in shown
    if where.startswith("intents"):
        script = tmp_path / "script.txt"
        script.write_text("hello\n", encoding="utf-8")
        done = run_cli("run", folder / "minimal.yaml", "--script", script)
        assert done.returncode == 1 and "not a regular file" in done.stderr


def test_a_scenario_file_linked_out_of_the_folder_is_refused(folder, secret):
    (folder / "other.yaml").symlink_to(secret)
    done = run_cli("validate", folder)
    shown = done.stdout + done.stderr
    assert (
        done.returncode == 1 and "other.yaml:1:1: error: a symbolic link to a file outside" in shown
    )
    assert_nothing_leaked(shown)


# -- 9. validate on a folder with no scenario files ---------------------------------------------


@pytest.mark.parametrize("name", ["x.yaml", "empty"])
def test_validate_on_a_folder_without_scenarios_says_so(capsys, tmp_path, name):
    (tmp_path / name).mkdir()
    (tmp_path / name / "notes.txt").write_text("not a scenario\n", encoding="utf-8")
    code, out = cli(capsys, "validate", tmp_path / name)
    assert code == 1 and "a folder with no scenario files in it" in out, out
    assert "0 files checked" not in out
