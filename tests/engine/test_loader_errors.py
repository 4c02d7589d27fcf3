"""Bad scenario files get a clear, positioned error naming the key or id, and nothing else.

Each case is one file in fixtures/bad/. For every expected problem the test checks the exact
FILE:LINE:COL, that the text found at that position in the file is the offending key or value,
and that the message names it. The list of problems must be exactly the expected one: no
follow-on noise, no traceback.
"""

from __future__ import annotations

import builtins
import importlib
import sys
from pathlib import Path

import pytest

from callsim.engine import yamlsafe
from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import ScenarioError, load_scenario, load_scenario_bytes
from callsim.engine.yamlsafe import MAX_BYTES, MAX_DEPTH, TOO_DEEP, _parse

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good"

#: fixture -> [(line, col, text at that position, words the message must contain)]
EXPECTED: dict[str, list[tuple[int, int, str, tuple[str, ...]]]] = {
    "syntax": [(3, 8, '"An unclosed quote', ("invalid YAML", "quoted text is never closed"))],
    "wrong-types": [
        (5, 13, '"hard"', ("difficulty", "whole number", "'hard'")),
        (10, 11, "5", ("customer", "mapping", "'name'", "'mood'", "not 5")),
    ],
    "unknown-key": [
        (14, 3, "patients", ("unknown key 'patients'", "customer", "did you mean 'patience'")),
        (19, 5, "respones", ("unknown key 'respones'", "stages.opening", "'responses'")),
    ],
    "duplicate-key": [(24, 3, "opening", ("duplicate key 'opening'", "first at line 16"))],
    "alias": [
        (8, 11, "&brief", ("anchors (&brief) are not allowed",)),
        (9, 7, "*brief", ("aliases (*brief) are not allowed",)),
    ],
    "anchor": [(10, 11, "&caller", ("anchors (&caller) are not allowed",))],
    "python-object": [
        (8, 11, "!!python/object", ("tag '!!python/object/apply:os.system' is not allowed",))
    ],
    "python-name": [
        (17, 15, "!!python/name", ("tag '!!python/name:engine.call.ScenarioEngine'", "not allowed"))
    ],
    "missing-key": [
        (1, 1, "format", ("missing key 'title'",)),
        (9, 1, "customer", ("missing key 'mood' in customer",)),
        (17, 9, "to: done", ("missing key 'intent' in stages.opening.responses[0]",)),
    ],
    "dangling-to": [(20, 13, "dnoe", ("stage 'dnoe' is not defined", "did you mean 'done'"))],
    "dangling-intent": [
        (19, 17, "refnud", ("intent 'refnud' is not defined", "did you mean 'refund'"))
    ],
    "dangling-action": [
        (26, 21, "check_billing", ("action 'check_billing' is not defined", "'check_bill'"))
    ],
    "dangling-fact": [
        (24, 15, "charged_twise", ("fact 'charged_twise' is not defined", "'charged_twice'"))
    ],
    "dangling-start": [
        (14, 8, "begin", ("stage 'begin' is not defined", "the stages are: opening, done"))
    ],
    "unreachable": [(21, 3, "apology", ("stage 'apology' can never be reached from 'opening'",))],
    "trap": [(23, 3, "loop", ("stage 'loop' is a trap", "no ending can be reached"))],
    "no-ending": [(15, 1, "stages", ("no stage is an ending", "ending:"))],
    "to-no": [(20, 13, "no", ("stage 'no' is not defined", "opening, done"))],
    "several-problems": [
        (2, 5, "Several Problems", ("id", "'Several Problems' is not a valid id")),
        (4, 11, "bills", ("category", "'billing'", "not 'bills'")),
        (5, 13, "7", ("difficulty", "at most 5", "not 7")),
        (14, 3, "patiense", ("unknown key 'patiense'", "did you mean 'patience'")),
    ],
    "empty": [(1, 1, "", ("the file is empty",))],
    "top-level-list": [(1, 1, "- id", ("must be a mapping of keys to values", "not a list"))],
    "nul-byte": [(3, 14, "\x00", ("NUL byte", "not a text file"))],
    "not-utf8": [(3, 12, "\ufffd", ("not UTF-8 text",))],
    "deep-nesting": [(1, MAX_DEPTH + 1, "[", (f"nested deeper than {MAX_DEPTH} levels",))],
    "code-names": [
        (21, 17, "engine.call", ("intent", "'engine.call.ScenarioEngine' is not a valid id")),
        (22, 13, "os.system", ("to", "'os.system' is not a valid id")),
        (23, 3, "os.system", ("stages", "'os.system' is not a valid id")),
    ],
}


def problems_of(path: Path) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def text_at(path: Path, line: int, col: int) -> str:
    lines = path.read_bytes().decode("utf-8", errors="replace").split("\n")
    return lines[line - 1][col - 1 :] if line <= len(lines) else ""


def test_every_bad_fixture_has_a_case():
    assert {p.stem for p in BAD.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_reports_exactly_where_and_what(name):
    path = BAD / f"{name}.yaml"
    problems = problems_of(path)
    expected = EXPECTED[name]
    assert [(p.line, p.col) for p in problems] == [(e[0], e[1]) for e in expected], "\n".join(
        map(str, problems)
    )
    for problem, (line, col, token, words) in zip(problems, expected, strict=True):
        assert str(problem).startswith(f"{path}:{line}:{col}: error: ")
        assert text_at(path, line, col).startswith(token), (str(problem), text_at(path, line, col))
        for word in words:
            assert word in problem.message, (word, str(problem))
        assert "Traceback" not in problem.message and "\n" not in problem.message


@pytest.mark.parametrize(
    "line, message",
    [
        ("customer: 5", "must be text or a list of variants, each with 'say:'"),
        ("customer:", "must be text or a list of variants"),
        ("customer: {say: hi}", "not a mapping"),
        ("customer: [5]", "customer[0]: must be a mapping with 'say', not 5"),
        ("customer: []", "customer: needs at least 1 item"),
    ],
)
def test_customer_line_of_the_wrong_shape_reads_as_one_clear_message(line, message):
    text = (GOOD / "minimal.yaml").read_text()
    text = text.replace("customer: I was charged twice this month.", line)
    with pytest.raises(ScenarioError) as info:
        load_scenario("bad.yaml", text)
    (problem,) = info.value.problems
    col = {"customer:": 14, "customer: [5]": 16}.get(line, 15)  # the value, or the bad item
    assert (problem.line, problem.col) == (18, col)
    assert "stages.opening.customer" in problem.message and message in problem.message
    assert "input should" not in problem.message.lower()


def test_a_misspelt_required_key_is_one_problem_with_a_hint():
    text = (GOOD / "minimal.yaml").read_text().replace("title:", "titel:")
    with pytest.raises(ScenarioError) as info:
        load_scenario("bad.yaml", text)
    assert [str(p) for p in info.value.problems] == [
        "bad.yaml:4:1: error: unknown key 'titel'; did you mean 'title'?"
    ]


@pytest.mark.parametrize(
    "text, where, message",
    [
        ('a: "x\nb: 2\n', (1, 4), "quoted text is never closed"),
        ("a: [1, 2\nb: 3\n", (1, 4), "'[' list is never closed"),
        ("a:\n  b: 1\n c: 2\n", (3, 2), "indentation does not line up"),
        ("a: b: c\n", (1, 5), "put text that contains ': ' in quotes"),
        ("a:\n\tb: 1\n", (2, 1), "indent with spaces, not tabs"),
        ("a: 1\n---\nb: 2\n", (2, 1), "only one YAML document per file"),
        ("# only a comment\n", (1, 1), "the file is empty"),
    ],
)
def test_yaml_syntax_errors_say_what_to_fix(text, where, message):
    with pytest.raises(ScenarioError) as info:
        load_scenario("bad.yaml", text)
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == where and message in problem.message


def test_no_and_off_stay_stage_ids_and_yes_and_1_30_stay_text():
    loaded = load_scenario(GOOD / "yaml11-words.yaml")
    sc = loaded.scenario
    assert list(sc.stages) == ["no", "off"] and sc.start == "no"
    assert sc.version == "1:30" and sc.title == "yes"
    assert (sc.briefing, sc.goal, sc.customer.name) == ("no", "off", "on")
    assert sc.stages["no"].customer == "yes" and sc.stages["no"].responses[0].to == "off"
    engine = ScenarioEngine(loaded)
    call = engine.new_call()
    assert engine.opening(call) == "yes"
    step = engine.reply(call, "I will refund the second charge today")
    assert step.stage_after == "off" and step.customer_lines == ("off",)
    assert call.outcome is not None and call.outcome.value == "resolved"


def test_a_2_mib_file_is_refused_by_every_route(tmp_path):
    big = tmp_path / "big.yaml"
    body = "format: 1\nbriefing: " + "x" * (2 * 1024 * 1024) + "\n"
    big.write_text(body)
    for load in (
        lambda: load_scenario(big),
        lambda: load_scenario(big, body),
        lambda: load_scenario_bytes(body.encode(), str(big)),
    ):
        with pytest.raises(ScenarioError) as info:
            load()
        (problem,) = info.value.problems
        assert (problem.line, problem.col) == (1, 1)
        assert f"{MAX_BYTES:,}" in problem.message and str(big) == problem.path


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000,
        "- " * 10_000 + "x",
        "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 200)),
    ],
    ids=["open-lists", "closed-lists", "flow-mappings", "block-lists", "block-mappings"],
)
def test_deep_nesting_is_refused_without_recursing(text):
    depth = len(__import__("inspect").stack(0))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 150)  # far below the nesting: any recursion would blow up
    try:
        with pytest.raises(ScenarioError) as info:
            load_scenario("deep.yaml", text)
    finally:
        sys.setrecursionlimit(old)
    (problem,) = info.value.problems
    assert f"nested deeper than {MAX_DEPTH} levels" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1_200 + "]" * 1_200,  # past libyaml's own limit, where it has one
        "a: " + "[b, '#]', " * 80 + "]" * 80,  # quotes and a '#' that is no comment
        "a: " + '["x\\"]\\\\", ' * 80 + "]" * 80,  # escaped quotes and backslashes
    ],
    ids=["libyaml-limit", "quoted-brackets", "escapes"],
)
def test_nesting_message_is_callsims_own_whatever_libyaml_says(text):
    _source, builder = _parse(text, "deep.yaml", None)
    assert builder.too_deep
    assert [p.message for p in builder.problems] == [TOO_DEEP]
    with pytest.raises(ScenarioError) as info:
        load_scenario("deep.yaml", text)
    assert [p.message for p in info.value.problems] == [TOO_DEEP]


def test_an_unclosed_quote_before_deep_nesting_still_gives_callsims_place():
    text = 'desc: |\n  "unclosed\ndeep: ' + "[" * 1_100 + "\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario("deep.yaml", text)
    assert [(p.line, p.col, p.message) for p in info.value.problems] == [(3, 70, TOO_DEEP)]


def test_many_brackets_in_text_are_not_mistaken_for_nesting():
    # 100 continuation lines that each start with '[': plain text to YAML, not 100 lists
    text = "notes: the customer said\n" + "  [crackling] on the line {again}\n" * 100
    value, _source = yamlsafe.load(text, "notes.yaml")
    assert value["notes"].count("[crackling]") == 100


def test_binary_bytes_are_refused_with_a_position():
    with pytest.raises(ScenarioError) as info:
        load_scenario_bytes(b"id: x\ntitle: \xff\xfe\n", "up.yaml")
    assert str(info.value.problems[0]) == (
        "up.yaml:2:8: error: not UTF-8 text (binary data or another encoding)"
    )


class _ImportSpy:
    """Records every import made while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.names: list[str] = []
        real_import, real_import_module = builtins.__import__, importlib.import_module

        def spy_import(name, *args, **kwargs):
            self.names.append(name)
            return real_import(name, *args, **kwargs)

        def spy_import_module(name, package=None):
            self.names.append(name)
            return real_import_module(name, package)

        monkeypatch.setattr(builtins, "__import__", spy_import)
        monkeypatch.setattr(importlib, "import_module", spy_import_module)


#: Names the fixtures spell out; importing any of them would mean scenario text was run.
CODE_NAMES = {"os", "os.system", "sys", "sys.exit", "subprocess", "builtins", "engine.call"}


def test_text_that_names_python_code_is_only_text(monkeypatch):
    # Warm up: whatever a first load, call and reply import legitimately is imported now (the
    # reading of replies loads its lemma dictionary at the first reply, not with the engine).
    engine = ScenarioEngine(load_scenario(GOOD / "minimal.yaml"))
    warm = engine.new_call()
    engine.reply(warm, "Sorry about the wait, let me look into your account")
    engine.end(warm)
    before = set(sys.modules)
    spy = _ImportSpy(monkeypatch)
    loaded = load_scenario(GOOD / "code-text.yaml")
    engine = ScenarioEngine(loaded)
    call = engine.new_call()
    assert engine.opening(call) == "os.system('rm -rf /')"
    step = engine.reply(call, "os.system")
    assert step.intent == "engine-call" and step.customer_lines == ("sys.exit", "builtins.exec")
    assert call.state == "transitions-core"
    for bad in ("code-names", "python-object", "python-name"):
        problems_of(BAD / f"{bad}.yaml")
    assert set(sys.modules) == before
    assert not CODE_NAMES & set(spy.names), spy.names
    assert not [n for n in spy.names if "ScenarioEngine" in n or "transitions" in n], spy.names


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("a: !!python/object:os.system {x: 1}\n", (1, 4), "tag '!!python/object:os.system'"),
        ("a: !!python/tuple [1, 2]\n", (1, 4), "tag '!!python/tuple'"),
        ("a: !!binary aGVsbG8=\n", (1, 4), "tag '!!binary'"),
        ("a: !custom x\n", (1, 4), "tag '!custom'"),
        ("a: &x [1]\nb: *x\n", (1, 4), "anchors (&x)"),
    ],
)
def test_tags_and_anchors_on_any_kind_of_node_are_refused(text, where, message):
    with pytest.raises(ScenarioError) as info:
        load_scenario("bad.yaml", text)
    first = info.value.problems[0]
    assert (first.line, first.col) == where and message in first.message


def test_explicit_text_stays_text():
    from callsim.engine.yamlsafe import load

    data, _ = load('a: !!str 5\nb: ! 1.5\nc: "yes"\nd: 0x1F\ne: .5\nf: -3\ng: ~\nh: TRUE\n', "f")
    assert data == {
        "a": "5",
        "b": "1.5",
        "c": "yes",
        "d": "0x1F",
        "e": 0.5,
        "f": -3,
        "g": None,
        "h": True,
    }


@pytest.mark.parametrize(
    "key, value",
    [("difficulty", "true"), ("target_seconds", '"300"'), ("difficulty", "2.5")],
)
def test_numbers_must_be_written_as_numbers(tmp_path, key, value):
    """`difficulty: true` or a quoted number is a mistake to point at, not a value to coerce."""
    good = (GOOD / "minimal.yaml").read_text(encoding="utf-8")
    assert f"\n{key}:" in good
    lines = [f"{key}: {value}" if ln.startswith(f"{key}:") else ln for ln in good.splitlines()]
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    (problem,) = caught.value.problems
    assert problem.line == next(i for i, ln in enumerate(lines, 1) if ln.startswith(f"{key}:"))
    assert key in problem.message
