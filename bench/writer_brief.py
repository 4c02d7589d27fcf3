"""Print what a writer of unseen test replies may know about a scenario, and nothing more.

Natural replies for measuring the matcher must come from someone who never read the intents'
example phrasings. This prints the briefing, goal, account, tools and knowledge a trainee sees,
and per stage the customer's lines and the purpose (description) of each reply the stage
expects, but no examples, `not` lists, fact keywords or questions. Hand its output to a writer.

    python bench/writer_brief.py SCENARIO_ID_OR_FILE > brief.md
"""

from __future__ import annotations

import sys

from callsim.engine.loader import load_scenario
from callsim.engine.models import Stage
from callsim.sim.scenario_paths import resolve_scenario


def _lines(lines) -> list[str]:
    if lines is None:
        return []
    if isinstance(lines, str):
        return [lines]
    return [v.say for v in lines]


def brief(name: str) -> str:
    path = resolve_scenario(name)
    if path is None:
        raise SystemExit(f"no scenario named {name!r}")
    loaded = load_scenario(path)
    s = loaded.scenario
    out = [f"# Scenario `{s.id}`: {s.title}", "", f"Briefing: {s.briefing}", "", f"Goal: {s.goal}"]
    out += ["", f"Customer: {s.customer.name}. {s.customer.persona}", "", "## Account screen"]
    out += [f"- {k}: {v}" for k, v in s.account.items()]
    out += ["", "## Tools the advisor can use (actions)"]
    out += [f"- {a.label}: {a.description or ''}" for a in s.actions.values()]
    out += ["", "## Knowledge base"]
    out += [f"- {k.title}: {k.body}" for k in s.knowledge.values()]
    anywhere = {r.intent for r in s.anywhere}
    out += ["", "## Stages", ""]
    for sid, stage in s.stages.items():
        out += _stage(loaded, sid, stage, anywhere)
    return "\n".join(out) + "\n"


def _stage(loaded, sid: str, stage: Stage, anywhere: set[str]) -> list[str]:
    if stage.ending:
        return []
    out = [f"### stage `{sid}`", "The customer says (one of):"]
    out += [f"- \"{line}\"" for line in _lines(stage.customer)]
    out += ["Replies this stage understands (intent: what it means):"]
    seen = []
    for r in stage.responses:
        if r.intent not in seen:
            seen.append(r.intent)
    for name in seen:
        out.append(f"- `{name}`: {loaded.intent(name).description or name}")
    for name in sorted(anywhere - set(seen)):
        out.append(f"- `{name}` (at any stage): {loaded.intent(name).description or name}")
    return out + [""]


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        sys.stdout.write(brief(arg))
