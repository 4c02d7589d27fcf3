"""docs/scenarios.md lists every bundled scenario as it is (title, category, difficulty)."""

from pathlib import Path

from callsim.engine.loader import load_scenario
from callsim.sim.scenario_paths import bundled_scenarios

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


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
