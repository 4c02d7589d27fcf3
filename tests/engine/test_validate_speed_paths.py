"""The fast paths of checking many scenario files say exactly what the plain paths say.

`callsim validate` on a large library reads YAML in one inlined loop, keeps lint answers from
stage to stage, looks shared intents up once per folder and shares files out among worker
processes (issue 19). Each shortcut is checked here against the way it replaced: the same
values, positions, problems and order.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from callsim.engine import lint as lint_module
from callsim.engine import loader
from callsim.engine.loader import (
    BUNDLED_SCENARIOS,
    PARALLEL_FROM,
    ScenarioError,
    check_files,
    load_intent_library,
    load_scenario,
)
from callsim.engine.yamlsafe import SourceMap, YamlError, _Builder, _SafeLoader, load
from callsim.sim.cli import main
from callsim.sim.scenario_paths import bundled_scenarios
from callsim.sim.textsafe import hidden, terminal_safe, visible

HOSTILE = Path(__file__).parent.parent / "hardening" / "hostile"
FIXTURES = Path(__file__).parent / "fixtures"


def _texts() -> list[str]:
    """Every YAML file the repository ships or tests with, as text."""
    paths = [*BUNDLED_SCENARIOS.rglob("*.y*ml"), *HOSTILE.glob("*.yaml"), *FIXTURES.rglob("*.y*ml")]
    texts = []
    for path in sorted(paths):
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return texts


def _build(text: str, inline: bool) -> tuple:
    """The builder's values, positions and problems for `text`: `run` (the inlined loop that
    `load` uses) or `feed` called for every event (the plain way)."""
    source = SourceMap("f.yaml")
    builder = _Builder("f.yaml", source)
    parser = _SafeLoader(text)
    try:
        if inline:
            builder.run(parser.get_event)
        else:
            while True:
                event = parser.get_event()
                if event is None or type(event) is yaml.StreamEndEvent:
                    break
                builder.feed(event)
                if builder.fatal:
                    break
    except yaml.YAMLError:
        return ("parse error",)
    finally:
        parser.dispose()
    outcome = "problems" if builder.problems else "ok"
    return (
        outcome,
        builder.problems,
        builder.fatal,
        builder.too_deep,
        builder.documents,
        builder.result,
        source.values,
        source.keys,
    )


def _mutations(text: str, rng: random.Random, count: int) -> list[str]:
    """Small random edits of a file: marks YAML gives meaning to, lines repeated or cut."""
    marks = [":", "-", "[", "]", "{", "}", "&a ", "*a", "!!str ", "!!int ", "? ", "\n  ", "1", "~"]
    out = []
    for _ in range(count):
        chars = list(text[:3000])
        for _ in range(rng.randint(1, 5)):
            at = rng.randrange(len(chars) + 1)
            roll = rng.random()
            if roll < 0.45:
                chars[at:at] = rng.choice(marks)
            elif roll < 0.7 and chars:
                del chars[min(at, len(chars) - 1)]
            else:
                lines = "".join(chars).split("\n")
                lines.insert(rng.randrange(len(lines)), rng.choice(lines))
                chars = list("\n".join(lines))
        out.append("".join(chars))
    return out


def test_the_inlined_reader_builds_what_feeding_each_event_builds():
    rng = random.Random(19)
    texts = _texts()
    special = [
        "a: &x 1\nb: *x\n",
        "? [a]\n: 1\n",
        "a: 1\na: 2\n",
        "{a: {b: {a: 1, a: 2}}}\n",
        "- !!int 3\n- !foo x\n- ! y\n",
        "1: x\nnull: y\ntrue: z\n~: w\n",
        "a: " + "[" * 70 + "]" * 70,
        "a: 1\r\nb: 2\u2028c: 3\n",
    ]
    cases = texts + special + [m for t in texts for m in _mutations(t, rng, 6)]
    kinds = set()
    for text in cases:
        expected = _build(text, inline=False)
        kinds.add(expected[0])
        assert _build(text, inline=True) == expected, text[:200]
    assert kinds == {"ok", "problems", "parse error"}  # the corpus exercises every outcome


def test_load_still_refuses_what_the_builder_refuses():
    for name in ("billion-laughs", "duplicate-keys", "python-object", "complex-key"):
        text = (HOSTILE / f"{name}.yaml").read_text(encoding="utf-8")
        with pytest.raises(YamlError) as info:
            load(text, "f.yaml")
        assert info.value.problems == sorted(set(_build(text, inline=False)[1]))


def _library(root: Path, copies: int) -> list[Path]:
    """A folder like a trainer's: copies of the bundled scenarios (some broken), their shared
    intents, and hostile files; in the order `callsim validate` checks them."""
    scenarios = bundled_scenarios()
    files = []
    for n in range(copies):
        src = scenarios[n % len(scenarios)]
        text = src.read_text(encoding="utf-8")
        if n % 7 == 3:
            text = text.replace("stages:", "stages:\n  extra_stage:\n    ending: nowhere", 1)
        if n % 11 == 5:
            text = text.replace("title:", "titel:", 1)
        dst = root / f"{n:03d}-{src.name}"
        dst.write_text(text, encoding="utf-8")
        files.append(dst)
    for name in ("duplicate-keys.yaml", "billion-laughs.yaml", "tabs.yaml", "markup.yaml"):
        shutil.copy(HOSTILE / name, root / f"zz-{name}")
        files.append(root / f"zz-{name}")
    intents = root / "intents"
    shutil.copytree(BUNDLED_SCENARIOS / "intents", intents)
    return sorted(files) + sorted(intents.glob("*.y*ml"))


def _one_by_one(files: list[Path]) -> list:
    """What `callsim validate` printed before check_files: load_scenario per file."""
    problems = []
    for f in files:
        try:
            if f.parent.name == "intents":
                load_intent_library(f)
            else:
                problems.extend(load_scenario(f).warnings)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_many_files_checked_by_workers_give_the_same_problems_in_the_same_order(tmp_path):
    files = _library(tmp_path, 40)
    expected = _one_by_one(files)
    assert {p.severity for p in expected} == {"error", "warning"}
    assert loader._can_fork()  # so jobs=2 below really runs two worker processes
    assert check_files(files, jobs=2) == expected
    assert check_files(files, jobs=1) == expected
    errors = [p for p in expected if p.severity == "error"]
    assert check_files(files, warnings=False, jobs=2) == errors


def test_a_refused_intent_file_is_reported_for_every_scenario_of_its_folder(tmp_path):
    files = _library(tmp_path, 3)
    secret = tmp_path.parent / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (tmp_path / "intents" / "evil.yaml").symlink_to(secret)
    problems = check_files(files[:3], jobs=1)
    refused = [p for p in problems if "symbolic link to a file outside" in p.message]
    assert len(refused) == 3
    assert all("hunter2" not in p.message for p in problems)
    assert problems == _one_by_one(files[:3])


def test_callsim_validate_on_a_large_folder_prints_what_it_printed_file_by_file(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "callsim.db"))
    library = tmp_path / "library"
    library.mkdir()
    files = _library(library, PARALLEL_FROM)
    code = main(["validate", str(library)])
    out = capsys.readouterr().out.splitlines()
    expected = [terminal_safe(str(p), keep_newlines=False) for p in _one_by_one(files)]
    assert code == 1
    assert out[:-1] == expected
    assert out[-1].startswith(f"{len(files)} files checked: ")


def test_lint_answers_kept_from_another_file_are_the_ones_it_would_work_out_alone(tmp_path):
    first, second = bundled_scenarios()[:2]
    after_first = (load_scenario(first).warnings, load_scenario(second).warnings)
    lint_module._near_rivals.cache_clear()
    alone = load_scenario(second).warnings
    assert after_first[1] == alone
    lint_module._near_rivals.cache_clear()
    assert load_scenario(first).warnings == after_first[0]


def test_printing_a_problem_skips_the_character_loop_only_when_nothing_would_change():
    """`terminal_safe` returns printable text as it is (16,000 warnings are printed for the
    bench's 1,000 files); every character it would make visible still is."""

    def one_by_one(text: str, keep_newlines: bool) -> str:
        return "".join(
            ch
            if ch in "\n\t" and (keep_newlines or ch == "\t")
            else visible(ch)
            if hidden(ch)
            else ch
            for ch in text
        )

    specials = [0x85, 0x200D, 0x202E, 0x2028, 0x2029, 0xD800, 0xE000, 0xFEFF, 0xE0001, 0xF0000]
    for code in [*range(0x3000), *specials]:
        text = f"a.yaml:1:2: warning: '{chr(code)}' x"
        for keep in (True, False):
            assert terminal_safe(text, keep_newlines=keep) == one_by_one(text, keep), hex(code)


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        *[(w, None) for w in ("~", "null", "Null", "NULL")],
        *[(w, True) for w in ("true", "True", "TRUE")],
        *[(w, False) for w in ("false", "False", "FALSE")],
        *[(w, w) for w in ("nULL", "tRUE", "no", "off", "yes", "on", "None", "nan", ".inf")],
        *[(w, w) for w in ("1:30", "0x1F", "1_000", "-x", "+", ".", "1.2.3", "12abc", "1e")],
        ("007", 7), ("-12", -12), ("+1", 1), (".5", 0.5), ("5.", 5.0), ("-.5e3", -500.0),
        ("1E+5", 100000.0),
    ],
)
def test_plain_values_read_by_the_core_schema_in_every_place(plain, value):
    """Values, list items and flow items; a key is the text of its value ('TRUE: x' keys
    'true', '007: x' keys '7', '~: x' keys '')."""
    data, _ = load(f"a: {plain}\nb:\n  - {plain}\nc: [{plain}]\n{plain}: k\n", "f.yaml")
    for got in (data["a"], data["b"][0], data["c"][0]):
        assert got == value and type(got) is type(value)
    key = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    assert data[key] == "k"


def test_locate_names_the_key_or_value_or_the_nearest_place_that_exists():
    text = "id: x\nstages:\n  open:\n    customer: [hi, there]\n    to: end\n"
    _, source = load(text, "f.yaml")
    assert source.locate(()) == (1, 1)
    assert source.locate(("stages", "open", "to")) == (5, 9)
    assert source.locate(("stages", "open", "to"), key=True) == (5, 5)
    assert source.locate(("stages", "open", "customer", 1)) == (4, 20)
    assert source.locate(("stages", "open", "customer", 1), key=True) == (4, 20)  # no key
    assert source.locate(("stages", "open", "customer", 5)) == (4, 15)  # the list itself
    assert source.locate(("stages", "open", "nope", 0), key=True) == (3, 3)  # 'open:'
    assert source.locate(("stages", 0)) == (3, 3)  # a mapping has no item 0
    assert source.locate(("missing",), key=True) == (1, 1)
    assert source.keys[("stages", "open")] == (3, 3) and source.values[("id",)] == (1, 5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_ctrl_c_stops_a_large_check_at_once_with_one_line_and_no_workers_left(tmp_path):
    """Ctrl+C reaches the whole process group: the workers leave it to the command, which
    stops within a chunk of files, says 'interrupted' and exits 130."""
    library = tmp_path / "library"
    library.mkdir()
    _library(library, 400)
    env = {**os.environ, "CALLSIM_DB": str(tmp_path / "calls.db")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "callsim", "validate", str(library)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.perf_counter()
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the check finished before Ctrl+C was sent")
    assert proc.returncode == 130
    assert time.perf_counter() - sent < 10
    assert "Traceback" not in err and err.strip().endswith("interrupted"), err
    assert "files checked" not in out
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # nothing of the group is left running


def _workers(pid: int) -> list[int]:
    """The processes `pid` has started (its workers), from /proc."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _cpu_ticks(pid: int) -> int:
    """CPU time a process has used, in clock ticks (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.fixture(scope="module")
def checked_library(tmp_path_factory) -> tuple[Path, list[Path], int, str]:
    """A library (240 scenario copies, hostile and intent files) and what `callsim validate`
    prints for it when no worker dies."""
    root = tmp_path_factory.mktemp("dying")
    library = root / "library"
    library.mkdir()
    files = _library(library, 240)
    env = {**os.environ, "CALLSIM_DB": str(root / "calls.db")}
    done = subprocess.run(
        [sys.executable, "-m", "callsim", "validate", str(library)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.stderr == "" and done.returncode == 1, done.stderr
    return library, files, done.returncode, done.stdout


@pytest.mark.skipif(
    not os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children"),
    reason="needs Linux's /proc/PID/task/PID/children to find the workers",
)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["killed", "crashed"])
def test_a_worker_that_dies_mid_check_still_leaves_every_files_result(
    tmp_path, checked_library, sig
):
    """A worker killed (the out-of-memory killer) or crashing in C code: the command checks
    the files it never answered itself and prints what a check with no death prints."""
    library, files, code, expected = checked_library
    env = {**os.environ, "CALLSIM_DB": str(tmp_path / "calls.db")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "callsim", "validate", str(library)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    killed = None
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        found = _workers(proc.pid)
        if found and _cpu_ticks(found[0]) >= 30:  # mid-check: it has answered some files
            killed = found[0]
            os.kill(killed, sig)
        else:
            time.sleep(0.005)
    out, err = proc.communicate(timeout=300)
    assert killed is not None, "the check ended before a worker could be killed"
    assert err == "", err
    assert proc.returncode == code
    assert out == expected
    assert out.splitlines()[-1].startswith(f"{len(files)} files checked: ")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_a_file_longer_than_its_size_said_is_read_to_the_end(tmp_path):
    """`read_regular` reads the size fstat gives and a byte more, then the rest: a file that
    grew after fstat (as /proc's files, size 0, always have) is still read whole."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    text = loader.read_regular(status)
    assert text.startswith("Name:") and "\nPid:" in text and text.endswith("\n")
    small = tmp_path / "small.yaml"
    small.write_text("id: x\n", encoding="utf-8")
    assert loader.read_regular(small) == "id: x\n"
