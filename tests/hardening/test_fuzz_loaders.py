"""Property-based fuzzing of the scenario, intent-library and rubric loaders.

Valid files (the bundled scenarios, the shared intents, the default rubric) are mutated: keys
dropped, renamed or retyped, values swapped for random text of every Unicode class, nesting
made deep, random bytes or text spliced into the raw file. Whatever comes in, the loader either
accepts it or raises its own error (ScenarioError / RubricError) whose every problem points at
a real place in that file as `FILE:LINE:COL`. Anything else escaping is a bug.

Two profiles: `quick` runs with the suite (a few seconds); `long` (>= 5,000 cases per loader)
is marked `slow` and runs with `python -m pytest -m slow tests/hardening` (docs/hardening.md).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import (
    BUNDLED_SCENARIOS,
    ScenarioError,
    library_dirs,
    load_intent_library,
    load_scenario,
    load_scenario_bytes,
    shared_intents,
)
from callsim.engine.yamlsafe import load as strict_load
from callsim.grading.rubric import DEFAULT_RUBRIC, RubricError, parse_rubric
from callsim.sim.scenario_paths import scenario_files

QUICK = settings(
    max_examples=int(os.environ.get("CALLSIM_FUZZ_QUICK", "100")),
    deadline=None,
    derandomize=True,  # the suite sees the same cases every run; the long profile explores
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=int(os.environ.get("CALLSIM_FUZZ_LONG", "5000")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (error|warning): \S")

# ---------------------------------------------------------------------------------------------
# Seeds


@lru_cache(maxsize=1)
def scenario_seeds() -> tuple[tuple[str, str], ...]:
    return tuple((p.name, p.read_text(encoding="utf-8")) for p in scenario_files(BUNDLED_SCENARIOS))


@lru_cache(maxsize=1)
def bundled_intents() -> dict:
    intents, problems = shared_intents(library_dirs(None))
    assert not problems, problems
    return intents


INTENTS_SEED = (BUNDLED_SCENARIOS / "intents" / "common.yaml").read_text(encoding="utf-8")
RUBRIC_SEED = DEFAULT_RUBRIC.read_text(encoding="utf-8")

# ---------------------------------------------------------------------------------------------
# Strategies: hostile text and values

#: Characters a terminal, a bidi algorithm or a parser may treat specially.
SPECIAL = [
    "\x1b[2J", "\x1b]52;c;cm0gLXJm\x07", "\x1b]8;;http://x\x1b\\", "\x07", "\r", "\x00", "\x7f",
    "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\u200b", "\ufeff", "\u0301\u0302\u0303",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\U0001f469\u200d\U0001f4bb",
    "\U0001f1ec\U0001f1e7", "[/]", "[red]x", "{0.__class__}", "__import__('os')", "os.system",
    "!!python/object/apply:os.system", "*alias", "&anchor", "- ", ": ", "#", "'", '"', "\\",
    "no", "off", "1:30", "~", "null", "0x1F", ".inf", "1e999", "", " ", "\t", "\n", "\u2028",
]  # fmt: skip

any_text = st.one_of(
    st.text(max_size=40),  # every Unicode class but surrogates (hypothesis excludes them)
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Mn", "Me", "Zl", "Zp"]), max_size=8),
    st.lists(st.sampled_from(SPECIAL), max_size=4).map("".join),
)
scalars = st.one_of(
    any_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


def nested(depth: int, leaf: Any, kind: str) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(any_text, scalars, max_size=3),
    st.builds(nested, st.integers(1, 120), scalars, st.sampled_from(["list", "dict"])),
)

# ---------------------------------------------------------------------------------------------
# Mutations of the parsed tree


def _containers(node: Any, out: list) -> list:
    """Every mapping and list in the tree, outermost first."""
    if isinstance(node, (dict, list)):
        out.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, out)
    return out


def mutate_tree(data: Any, draw: Any) -> Any:
    for _ in range(draw(st.integers(1, 4))):
        nodes = _containers(data, [])
        node = draw(st.sampled_from(nodes))
        if isinstance(node, dict) and not node:
            node["added"] = draw(values)
            continue
        if isinstance(node, list) and not node:
            node.append(draw(values))
            continue
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        how = draw(
            st.sampled_from(["drop", "rename", "retype", "text", "nest", "duplicate", "add"])
        )
        if how == "drop":
            del node[key]
        elif how == "rename" and isinstance(node, dict):
            new = draw(st.one_of(any_text, st.sampled_from([k + "s" for k in map(str, keys)])))
            node[new] = node.pop(key)
        elif how == "retype":
            node[key] = draw(values)
        elif how == "text":
            node[key] = draw(any_text)
        elif how == "nest":
            node[key] = nested(
                draw(st.integers(1, 150)), node[key], draw(st.sampled_from(["list", "dict"]))
            )
        elif how == "duplicate" and isinstance(node, list):
            node.append(node[key])
        else:
            if isinstance(node, dict):
                node[draw(any_text)] = draw(values)
            else:
                node.insert(key, draw(values))
    return data


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


# ---------------------------------------------------------------------------------------------
# Mutations of the raw text


def mutate_text(text: str, draw: Any) -> str:
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        how = draw(st.sampled_from(["insert", "delete_lines", "duplicate_line", "indent", "swap"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if how == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(any_text) + text[at:]
            continue
        if how == "delete_lines":
            del lines[i : i + draw(st.integers(1, 5))]
        elif how == "duplicate_line":
            lines.insert(i, lines[i])
        elif how == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t", "    "])) + lines[i].lstrip()
        else:
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[i], lines[j] = lines[j], lines[i]
        text = "\n".join(lines)
    return text


def splice_bytes(raw: bytes, draw: Any) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw


# ---------------------------------------------------------------------------------------------
# The property: only the loader's own error, always at a real place in the file


def assert_positioned(problems: list, name: str, text: str | bytes) -> None:
    assert problems, "an error with no problems in it"
    lines = text.split("\n" if isinstance(text, str) else b"\n")
    for p in problems:
        shown = str(p)
        assert PROBLEM_LINE.match(shown), shown
        assert p.path == name, shown
        assert 1 <= p.line <= len(lines), (shown, len(lines))
        assert p.col >= 1, shown
        # the column is within its line (or just past its end, for 'missing' and end of input)
        assert p.col <= len(lines[p.line - 1]) + 1, (shown, lines[p.line - 1][:200])
        assert "Traceback" not in shown


def check_scenario_text(text: str, name: str = "fuzz/scenario.yaml") -> None:
    try:
        loaded = load_scenario(name, text, intents=bundled_intents())
    except ScenarioError as exc:
        assert_positioned(exc.problems, name, text)
        return
    engine = ScenarioEngine(loaded)  # what loads must also play
    call = engine.new_call()
    engine.opening(call)
    engine.reply(call, "I'm sorry, can you tell me what happened?")


def check_scenario_bytes(raw: bytes, name: str = "fuzz/upload.yaml") -> None:
    try:
        load_scenario_bytes(raw, name, intents=bundled_intents())
    except ScenarioError as exc:
        # decoding errors count bytes, the rest characters of the decoded text
        decoding = any(w in str(exc) for w in ("NUL byte", "not UTF-8", "save it as UTF-8"))
        assert_positioned(exc.problems, name, raw if decoding else raw.decode("utf-8-sig"))


def check_rubric_text(text: str, name: str = "fuzz/rubric.yaml") -> None:
    try:
        parse_rubric(text, name)
    except RubricError as exc:
        assert_positioned(exc.problems, name, text)


def check_intents_text(text: str, name: str = "fuzz/intents/common.yaml") -> None:
    try:
        load_intent_library(name, text)
    except ScenarioError as exc:
        assert_positioned(exc.problems, name, text)


def seed_tree(text: str) -> Any:
    data, _ = strict_load(text, "seed")
    return data


@st.composite
def mutated_scenario_tree(draw):
    _, text = draw(st.sampled_from(scenario_seeds()))
    return dump(mutate_tree(seed_tree(text), draw))


@st.composite
def mutated_scenario_text(draw):
    _, text = draw(st.sampled_from(scenario_seeds()))
    return mutate_text(text, draw)


@st.composite
def spliced_scenario_bytes(draw):
    _, text = draw(st.sampled_from(scenario_seeds()))
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b""])) + raw
    if draw(st.booleans()):
        raw = raw.replace(b"\n", b"\r\n")
    return splice_bytes(raw, draw)


@st.composite
def mutated_rubric(draw):
    if draw(st.booleans()):
        return dump(mutate_tree(seed_tree(RUBRIC_SEED), draw))
    return mutate_text(RUBRIC_SEED, draw)


@st.composite
def mutated_intents(draw):
    if draw(st.booleans()):
        return dump(mutate_tree(seed_tree(INTENTS_SEED), draw))
    return mutate_text(INTENTS_SEED, draw)


PROPERTIES = {
    "scenario-tree": (mutated_scenario_tree(), check_scenario_text),
    "scenario-text": (mutated_scenario_text(), check_scenario_text),
    "scenario-bytes": (spliced_scenario_bytes(), check_scenario_bytes),
    "rubric": (mutated_rubric(), check_rubric_text),
    "intents": (mutated_intents(), check_intents_text),
}


def _property_test(profile: settings, strategy, check):
    def run(case):
        run.cases += 1
        check(case)

    run.cases = 0
    return run, profile(given(strategy)(run))


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_loaders_survive_mutated_files_quick(name):
    strategy, check = PROPERTIES[name]
    _property_test(QUICK, strategy, check)[1]()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PROPERTIES))
def test_loaders_survive_mutated_files_long(name):
    strategy, check = PROPERTIES[name]
    counter, test = _property_test(LONG, strategy, check)
    test()
    print(f"\n{name}: {counter.cases} cases")  # shown with -s; docs/hardening.md records them


def test_the_seeds_are_valid():
    """Mutations start from files that load: a broken seed would test nothing."""
    assert len(scenario_seeds()) >= 4
    for name, text in scenario_seeds():
        load_scenario(f"seed/{name}", text, intents=bundled_intents())
    parse_rubric(RUBRIC_SEED, "default.yaml")
    load_intent_library("common.yaml", INTENTS_SEED)
    assert Path(DEFAULT_RUBRIC).is_file()


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85", "\r"])
def test_unusual_line_breaks_do_not_shift_positions(odd):
    """Found by the fuzzer: libyaml starts a line at NEL/LS/PS/lone CR; editors do not."""
    text = f'format: 1\ntitle: "one{odd}two"\nid: x\ncategory: bills\n'
    with pytest.raises(ScenarioError) as info:
        load_scenario("odd.yaml", text, intents=bundled_intents())
    where = {(p.line, p.col) for p in info.value.problems if "category" in p.message}
    assert where == {(4, 11)}, [str(p) for p in info.value.problems]


def test_a_control_character_after_non_ascii_text_is_placed_right():
    """Found by the fuzzer: libyaml gives this offset in bytes, so '£' or '–' shifted it."""
    text = "title: £5 – refund\nid: x\x1fy\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario("ctrl.yaml", text, intents=bundled_intents())
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (2, 6) and "U+001F" in problem.message


def test_a_syntax_error_at_the_end_of_a_file_without_a_final_newline_is_on_its_last_line():
    """Found by the fuzzer: libyaml put it on a line after the last one."""
    text = "format: 1\ntitle: x\n0"
    with pytest.raises(ScenarioError) as info:
        load_scenario("end.yaml", text, intents=bundled_intents())
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (3, 2), str(problem)
