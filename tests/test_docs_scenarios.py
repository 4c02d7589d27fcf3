"""The docs' lists of bundled things match the bundle: docs/scenarios.md's scenarios (title,
category, difficulty) and docs/scenario-format.md's shared intents (description, examples)."""

import re
from pathlib import Path

from callsim.engine.loader import BUNDLED_SCENARIOS, load_intent_library, load_scenario
from callsim.sim.scenario_paths import bundled_scenarios

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"
FORMAT_DOC = DOC.with_name("scenario-format.md")


def test_the_library_page_lists_every_bundled_scenario_as_it_is():
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    bundled = [load_scenario(p).scenario for p in bundled_scenarios()]
    assert len(bundled) >= 15
    assert set(rows) == {s.id for s in bundled}
    for s in bundled:
        _, title, category, difficulty, _, policy = rows[s.id]
        assert (title, category, int(difficulty), policy) == (
            s.title,
            s.category.value,
            s.difficulty,
            s.escalation.policy,
        )


def test_the_shared_intents_table_shows_every_shared_intent_as_it_is():
    text = FORMAT_DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Shared intents\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "docs/scenario-format.md has no '## Shared intents' section"
    rows = {}
    for line in section.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    shared = load_intent_library(BUNDLED_SCENARIOS / "intents" / "common.yaml")
    assert set(rows) == set(shared)
    for name, intent in shared.items():
        _, description, examples = rows[name]
        assert description == intent.description
        shown = re.findall(r'"([^"]+)"', examples)
        assert 2 <= len(shown) <= 3, name
        assert set(shown) <= set(intent.examples), name
