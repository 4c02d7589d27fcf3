"""What the way to a call screen must not pay for (issue 14): work it does not need before the
trainee can type, checked in a fresh interpreter as `callsim app --scenario ID` starts."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,  # not the repository: its folders must not import as top-level names
    ).stdout.strip()


def test_building_a_call_does_not_load_the_lemma_dictionary():
    """simplemma's dictionary costs about a quarter of a second of CPU to load: a new call's
    engine is built before its screen is drawn, so the dictionary waits for the first reply
    (or the background warm-up), which still knows the customer's name."""
    out = _run(
        "import sys\n"
        "from callsim.engine.loader import load_scenario\n"
        "from callsim.sim.scenario_paths import bundled_scenarios\n"
        "from callsim.sim.session import engine_for\n"
        "loaded = load_scenario(bundled_scenarios()[0])\n"
        "engine = engine_for(loaded)\n"
        "print('simplemma' in sys.modules)\n"
        "print(loaded.reader.people == set(loaded.scenario.customer.name.lower().split()))\n"
        "print('simplemma' in sys.modules)\n"
    )
    assert out.split() == ["False", "True", "True"]
