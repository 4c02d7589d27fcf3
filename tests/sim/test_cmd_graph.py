"""`callsim graph`: every stage and route in the picture, trainer text unable to break it."""

from __future__ import annotations

import re

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.graph import dot_text, mermaid_text, picture, render
from callsim.sim.scenario_paths import bundled_scenarios

SCENARIOS = bundled_scenarios()


def expected_routes(sc):
    """(from, to, dashed, intent or 'fallback') for every route that leaves a stage."""
    out = set()
    for sid, st in sc.stages.items():
        if st.ending is not None:
            continue
        for r in st.responses:
            if r.to:
                out.add((sid, r.to, False, r.intent))
            if r.otherwise is not None and r.otherwise.to:
                out.add((sid, r.otherwise.to, True, r.intent))
        if st.fallback is not None and st.fallback.to:
            out.add((sid, st.fallback.to, True, "fallback"))
    for r in sc.anywhere:
        if r.to:
            out.add(("(anywhere)", r.to, False, r.intent))
        if r.otherwise is not None and r.otherwise.to:
            out.add(("(anywhere)", r.otherwise.to, True, r.intent))
    return out


def mermaid_parts(text: str, sc):
    names = {}
    for m in re.finditer(r'^  (s\d+)(?:\["|\(\[")([^"<]+)', text, re.M):
        names[m.group(1)] = m.group(2)
    names["anywhere"] = "(anywhere)"
    edges = set()
    for m in re.finditer(r'^  (\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$', text, re.M):
        for label in m.group(3).split(" / "):
            intent = label.split(" (needs")[0].split(": not yet")[0]
            edges.add((names[m.group(1)], names[m.group(4)], m.group(2) == "-.->", intent))
    return names, edges


def dot_parts(text: str):
    names = {}
    for m in re.finditer(r'^  (s\d+) \[label="([^"\\]+)', text, re.M):
        names[m.group(1)] = m.group(2)
    names["anywhere"] = "(anywhere)"
    edges = set()
    for m in re.finditer(r'^  (\w+) -> (\w+) \[label="([^"]*)"(, style=dashed)?\];$', text, re.M):
        if m.group(1) == "start_":
            continue
        for label in m.group(3).split(" / "):
            intent = label.split(" (needs")[0].split(": not yet")[0]
            edges.add((names[m.group(1)], names[m.group(2)], bool(m.group(4)), intent))
    return names, edges


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_mermaid_shows_every_stage_and_route(path):
    sc = load_scenario(path).scenario
    text = render(sc, "mermaid")
    names, edges = mermaid_parts(text, sc)
    assert set(names.values()) - {"(anywhere)"} == set(sc.stages)
    assert edges == expected_routes(sc)
    start = next(n for n, s in names.items() if s == sc.start)
    assert f"  start_ --> {start}\n" in text
    for sid, st in sc.stages.items():
        node = next(n for n, s in names.items() if s == sid)
        if st.ending is not None:
            assert re.search(rf"^  {node}\(\[.*\]\):::{st.ending.value}$", text, re.M)
    # anywhere responses are drawn once, not from every stage
    for r in sc.anywhere:
        assert sum(1 for e in edges if e[3] == r.intent and e[0] != "(anywhere)") == sum(
            1 for st in sc.stages.values() for x in st.responses if x.intent == r.intent and x.to
        )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_dot_shows_every_stage_and_route(path):
    sc = load_scenario(path).scenario
    text = render(sc, "dot")
    names, edges = dot_parts(text)
    assert set(names.values()) - {"(anywhere)"} == set(sc.stages)
    assert edges == expected_routes(sc)
    assert text.startswith(f'digraph "{sc.id}" {{') and text.rstrip().endswith("}")


HOSTILE = 'Bob said "hi" #1 <b>x</b> `code` | end\\ }\n[/] --> s0 ; graph'


def test_trainer_text_cannot_break_either_syntax(tmp_path, capsys):
    src = load_scenario(SCENARIOS[0]).scenario
    sc = src.model_copy(update={"title": HOSTILE})
    mer = render(sc, "mermaid")
    title = mer.splitlines()[1]
    assert title.startswith('title: "') and title.endswith('"')
    assert mer.splitlines()[:4:2] == ["---", "---"] and mer.splitlines()[3] == "flowchart TD"
    dot = render(sc, "dot")
    label = next(ln for ln in dot.splitlines() if ln.startswith("  label="))
    # the label is one well-formed quoted string: every inner quote is escaped
    m = re.fullmatch(r'  label="((?:[^"\\]|\\.)*)"; labelloc=t; rankdir=TB;', label)
    assert m, label
    assert mermaid_text(HOSTILE).count('"') == 0
    assert "#quot;hi#quot;" in mermaid_text(HOSTILE) and "#35;1" in mermaid_text(HOSTILE)
    assert "<" not in mermaid_text(HOSTILE) and "|" not in mermaid_text(HOSTILE)
    assert dot_text('a"b\\c\nd') == 'a\\"b\\\\c d'


def test_stage_ids_are_never_node_names():
    sc = load_scenario(SCENARIOS[0]).scenario
    p = picture(sc)
    assert all(re.fullmatch(r"s\d+", n) for n in p.nodes.values())


def test_the_command_prints_or_writes_and_reports_bad_scenarios(tmp_path, capsys):
    assert main(["graph", "double-charge-october", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "double-charge-october"')
    out = tmp_path / "g.mmd"
    assert main(["graph", "double-charge-october", "-o", str(out)]) == 0
    assert "flowchart TD" in out.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\n")
    assert main(["graph", str(bad)]) == 1
    assert re.search(r"bad\.yaml:\d+:\d+: error: ", capsys.readouterr().err)
