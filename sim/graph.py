"""A scenario's stages as a picture: Mermaid or Graphviz dot text.

Stages become nodes under generated names (s0, s1, ...), so no id or text a trainer wrote is
ever a name in the output; it appears only inside escaped labels. Replies that lead on are solid
arrows labelled with their intents (several intents between the same two stages share one
arrow); fallbacks and `otherwise` routes are dashed; `anywhere` responses come from one separate
node, once per target, instead of from every stage. Replies that stay in their stage are left
out to keep the picture readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from callsim.engine.models import Scenario

OUTCOME_COLOURS = {
    "resolved": ("#d8f3dc", "#2d6a4f"),
    "escalated": ("#dbe9f6", "#1d4e89"),
    "unresolved": ("#fde2c8", "#9c4a00"),
    "hung_up": ("#f8d7da", "#842029"),
}


@dataclass
class Edge:
    src: str  # node name
    dst: str
    labels: list[str] = field(default_factory=list)
    dashed: bool = False


@dataclass
class Picture:
    title: str
    scenario_id: str
    nodes: dict[str, str]  # stage id -> node name
    start: str
    endings: dict[str, str]  # stage id -> outcome
    edges: list[Edge]
    anywhere: bool


ANYWHERE = "anywhere"


def picture(sc: Scenario) -> Picture:
    """The graph of a scenario, edges merged per (from, to, dashed)."""
    nodes = {sid: f"s{i}" for i, sid in enumerate(sc.stages)}
    merged: dict[tuple[str, str, bool], Edge] = {}

    def add(src: str, dst: str | None, label: str, dashed: bool) -> None:
        if dst is None or dst not in nodes:
            return
        key = (src, nodes[dst], dashed)
        edge = merged.setdefault(key, Edge(src, nodes[dst], dashed=dashed))
        if label not in edge.labels:
            edge.labels.append(label)

    def response_label(r) -> str:
        if r.requires is not None and (r.requires.actions or r.requires.facts):
            needs = ", ".join([*r.requires.actions, *r.requires.facts])
            return f"{r.intent} (needs {needs})"
        return r.intent

    for sid, stage in sc.stages.items():
        if stage.ending is not None:
            continue
        for r in stage.responses:
            add(nodes[sid], r.to, response_label(r), False)
            if r.otherwise is not None:
                add(nodes[sid], r.otherwise.to, f"{r.intent}: not yet", True)
        if stage.fallback is not None:
            add(nodes[sid], stage.fallback.to, "fallback", True)
    for r in sc.anywhere:
        add(ANYWHERE, r.to, response_label(r), False)
        if r.otherwise is not None:
            add(ANYWHERE, r.otherwise.to, f"{r.intent}: not yet", True)
    endings = {sid: st.ending.value for sid, st in sc.stages.items() if st.ending is not None}
    return Picture(
        title=sc.title,
        scenario_id=sc.id,
        nodes=nodes,
        start=sc.start,
        endings=endings,
        edges=list(merged.values()),
        anywhere=any(e.src == ANYWHERE for e in merged.values()),
    )


# ---------------------------------------------------------------------------------------------
# Mermaid


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for what Mermaid would read."""
    text = " ".join(str(text).split())
    out = []
    for ch in text:
        if ch == "#":
            out.append("#35;")
        elif ch == '"':
            out.append("#quot;")
        elif ch in "<>&`|":
            out.append(f"#{ord(ch)};")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            continue
        else:
            out.append(ch)
    return "".join(out)


def to_mermaid(p: Picture) -> str:
    lines = ["---", f"title: {json.dumps(' '.join(p.title.split()), ensure_ascii=False)}", "---"]
    lines.append("flowchart TD")
    lines.append('  start_(("start"))')
    for sid, node in p.nodes.items():
        label = mermaid_text(sid)
        if sid in p.endings:
            outcome = p.endings[sid]
            lines.append(f'  {node}(["{label}<br/>{mermaid_text(outcome)}"]):::{outcome}')
        else:
            lines.append(f'  {node}["{label}"]')
    if p.anywhere:
        lines.append(f'  {ANYWHERE}{{{{"from any stage"}}}}:::anywhere')
    lines.append(f"  start_ --> {p.nodes[p.start]}")
    for e in p.edges:
        arrow = "-.->" if e.dashed else "-->"
        label = mermaid_text(" / ".join(e.labels))
        lines.append(f'  {e.src} {arrow}|"{label}"| {e.dst}')
    for outcome, (fill, stroke) in OUTCOME_COLOURS.items():
        lines.append(f"  classDef {outcome} fill:{fill},stroke:{stroke},stroke-width:2px")
    lines.append("  classDef anywhere fill:#f3f0ff,stroke:#5a4fcf,stroke-dasharray:4")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Graphviz dot


def dot_text(text: str) -> str:
    """Text for inside a double-quoted dot string."""
    text = " ".join(str(text).split())
    text = "".join(ch for ch in text if ord(ch) >= 32 and not 0x7F <= ord(ch) < 0xA0)
    return text.replace("\\", "\\\\").replace('"', '\\"')


DOT_SHAPES = {
    "resolved": "doublecircle",
    "escalated": "doubleoctagon",
    "unresolved": "octagon",
    "hung_up": "tripleoctagon",
}


def to_dot(p: Picture) -> str:
    lines = [
        f'digraph "{dot_text(p.scenario_id)}" {{',
        f'  label="{dot_text(p.title)}"; labelloc=t; rankdir=TB;',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  start_ [shape=circle, label="start", width=0.6, fillcolor="#222222", '
        'fontcolor="#ffffff"];',
    ]
    for sid, node in p.nodes.items():
        if sid in p.endings:
            outcome = p.endings[sid]
            fill, stroke = OUTCOME_COLOURS[outcome]
            lines.append(
                f'  {node} [label="{dot_text(sid)}\\n({dot_text(outcome)})", '
                f'shape={DOT_SHAPES[outcome]}, fillcolor="{fill}", color="{stroke}", '
                f'class="{outcome}"];'
            )
        else:
            lines.append(f'  {node} [label="{dot_text(sid)}"];')
    if p.anywhere:
        lines.append(
            f'  {ANYWHERE} [label="from any stage", shape=hexagon, style="dashed,filled", '
            'fillcolor="#f3f0ff"];'
        )
    lines.append(f"  start_ -> {p.nodes[p.start]};")
    for e in p.edges:
        style = ", style=dashed" if e.dashed else ""
        lines.append(f'  {e.src} -> {e.dst} [label="{dot_text(" / ".join(e.labels))}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(sc: Scenario, fmt: str) -> str:
    p = picture(sc)
    return to_dot(p) if fmt == "dot" else to_mermaid(p)
