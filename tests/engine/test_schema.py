"""The format reference and the JSON Schema stay true to the models and the bundled scenarios."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callsim.engine.loader import BUNDLED_SCENARIOS, load_scenario
from callsim.sim.cli import main
from callsim.sim.scenario_paths import bundled_scenarios
from callsim.sim.session import CallSession, SimulatedClock, play_script

DOCS = Path(__file__).resolve().parents[2] / "docs"
FORMAT_DOC = DOCS / "scenario-format.md"
SCHEMA_FILE = DOCS / "scenario.schema.json"
MODELINE = "# yaml-language-server: $schema=../docs/scenario.schema.json"


def complete_example() -> str:
    """The ```yaml block under the doc's "Complete example" heading."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Complete example\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "docs/scenario-format.md has no '## Complete example' section"
    block = re.search(r"^```yaml\n(.*?)^```", section.group(1), re.S | re.M)
    assert block, "the 'Complete example' section has no ```yaml block"
    return block.group(1)


def no_tags(text, customer=None, history=()):
    class Tagged:
        tags: list[str] = []
        evidence: dict[str, str] = {}

    return Tagged()


def test_the_complete_example_in_the_reference_is_a_valid_scenario_that_plays():
    loaded = load_scenario(FORMAT_DOC.with_name("complete-example.yaml"), complete_example())
    assert loaded.warnings == ()
    session = CallSession(loaded, tagger=no_tags, clock=SimulatedClock())
    problems = play_script(
        session,
        [
            "Oh no, that sounds so frustrating with exams coming up. Let me check your router.",
            "What time of day does it happen?",
            "/action router_check",
            "/action change_channel 11",
            "I've moved your Wi-Fi to a quieter channel, so it should hold up in the evenings.",
            "Is there anything else I can help with?",
        ],
    )
    assert problems == [] and session.outcome is not None
    assert session.outcome.value == "resolved"


def test_the_schema_file_is_what_callsim_schema_prints(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "docs/scenario.schema.json is stale: run `callsim schema -o docs/scenario.schema.json`"
    )


def test_bundled_scenarios_point_editors_at_the_schema():
    for path in bundled_scenarios():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE, path.name


def test_bundled_scenarios_and_the_example_are_valid_against_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from callsim.engine.yamlsafe import load

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    docs = {p.name: p.read_text(encoding="utf-8") for p in bundled_scenarios()}
    docs["complete example"] = complete_example()
    assert len(docs) > 1 and BUNDLED_SCENARIOS.is_dir()
    for name, text in docs.items():
        data, _ = load(text, name)
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], name
