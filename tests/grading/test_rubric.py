"""The rubric as data: the bundled one is valid and complete; bad files say FILE:LINE:COL why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callsim.grading.rubric import (
    CRITERION_KINDS,
    FLAG_KINDS,
    RubricError,
    default_rubric,
    load_rubric,
    parse_rubric,
)
from callsim.grading.tags import DIMENSIONS

FIXTURES = Path(__file__).parent / "fixtures" / "rubrics"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rubric.md"


def errors_of(name: str) -> list[str]:
    path = FIXTURES / name
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    return [str(p).removeprefix(str(path)) for p in info.value.problems]


def test_default_rubric_has_the_guides_dimensions_and_the_critical_flags():
    rubric = default_rubric()
    assert tuple(rubric.dimensions) == DIMENSIONS
    assert all(d.weight > 0 for d in rubric.dimensions.values())
    flagged = {(f.kind, f.tag) for f in rubric.flags.values()}
    assert ("tag", "over_promise") in flagged
    assert ("tag", "blame") in flagged
    assert ("forbidden_promise", None) in flagged
    assert ("escalation_missed", None) in flagged
    assert any(f.kind == "outcome" and "hung_up" in f.outcomes for f in rubric.flags.values())


def test_every_kind_the_rubric_may_name_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for kind in (*CRITERION_KINDS, *FLAG_KINDS):
        assert f"`{kind}`" in text, kind


def test_a_team_rubric_loads():
    rubric = load_rubric(FIXTURES / "small.yaml")
    assert rubric.id == "small"
    assert list(rubric.dimensions) == ["empathy", "promises"]
    assert rubric.flags["guarantee"].cap == 30


def test_unknown_key_is_positioned_with_a_suggestion():
    assert errors_of("unknown-key.yaml") == [
        ":7:5: error: unknown key 'wieght' in dimensions.empathy; did you mean 'weight'?"
    ]


def test_unknown_tag_is_positioned_and_lists_the_tags():
    [error] = errors_of("unknown-tag.yaml")
    assert error.startswith(":11:14: error: dimensions.empathy.criteria[0].tag: must be one of")
    assert "'empathy'" in error and "not 'sympathy'" in error


def test_unknown_criterion_kind_is_refused_not_looked_up():
    [error] = errors_of("unknown-kind.yaml")
    assert error.startswith(":10:15: error: dimensions.empathy.criteria[0].kind: must be one of")
    assert "'tag_order'" in error and "not 'os.system'" in error


def test_weights_must_be_positive():
    assert errors_of("bad-weights.yaml") == [
        ":7:13: error: dimensions.empathy.weight: must be above 0, not 0",
        ":13:13: error: dimensions.follow_up.weight: must be above 0, not -2",
    ]


def test_duplicate_dimension_is_refused_where_it_is_repeated():
    assert errors_of("duplicate-dimension.yaml") == [
        ":11:3: error: duplicate key 'empathy' (first at line 5)"
    ]


def test_keys_must_fit_the_criterion_kind_and_losses_need_a_tip():
    errors = errors_of("kind-keys.yaml")
    assert errors[0] == ":10:9: error: dimensions.follow_up.criteria[0]: kind 'tag' needs 'tag'"
    assert errors[1].startswith(
        ":12:9: error: dimensions.follow_up.criteria[1]: kind 'outcome' does not use 'tag'"
    )
    assert errors[2] == (
        ":16:9: error: dimensions.follow_up.criteria[2]: "
        "a criterion that can lose points needs 'try': what to try instead"
    )


def test_yaml_tricks_are_refused_in_rubrics_too():
    text = "format: 1\nid: x\ntitle: &t T\ndimensions: {}\nflags: *t\n"
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "team.yaml")
    messages = [str(p) for p in info.value.problems]
    assert "team.yaml:3:8: error: anchors (&t) are not allowed" in messages


def test_a_rubric_must_be_a_mapping():
    with pytest.raises(RubricError) as info:
        parse_rubric("- just\n- a list\n", "list.yaml")
    assert str(info.value.problems[0]).startswith("list.yaml:1:1: error:")


def test_missing_rubric_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "nope.yaml")
    assert "cannot read file" in str(info.value)


def test_the_custom_rubric_example_in_the_docs_validates():
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    examples = [b for b in blocks if b.lstrip().startswith("format: 1")]
    assert examples, "docs/rubric.md should show a whole custom rubric"
    for block in examples:
        rubric = parse_rubric(block, "docs/rubric.md")
        assert rubric.dimensions
