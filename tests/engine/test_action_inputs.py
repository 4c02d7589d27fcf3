"""A tool's input can offer choices or a range; the engine checks what was entered against them
and the result quotes it (issue 14, defect 7). Bad declarations are positioned problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.engine.call import CallError, ScenarioEngine
from callsim.engine.loader import ScenarioError, load_scenario

GOOD = Path(__file__).parent / "fixtures" / "good"
BASE = (GOOD / "double-charge.yaml").read_text(encoding="utf-8")
OLD_REFUND = """  refund:
    label: Refund a payment
    takes: amount in pounds
    result: Refund of the duplicate payment requested; 3 to 5 working days.
    mood: -1
"""
assert OLD_REFUND in BASE

TOOLS = """  refund:
    label: Refund a payment
    takes:
      what: amount in pounds
      min: 1
      max: 30
      unit: "£"
      hint: The duplicate payment was £30.
    result: "Refund of {input} requested; 3 to 5 working days. {0.__class__} {HOME}"
    mood: -1
  book_visit:
    label: Book a visit
    takes:
      what: date and slot
      choices: ["Thursday 8am–1pm", "Thursday 1pm–6pm", "Friday 8am–1pm"]
    result: "Visit booked: {input}."
  months:
    label: Split the payment
    takes: {what: number of months, min: 2, max: 3, unit: months}
    result: "Split over {input}."
  note:
    label: Add a note
    takes: note text
    result: "Note added."
"""


def load(tools: str = TOOLS, name: str = "inputs.yaml"):
    return load_scenario(GOOD / name, BASE.replace(OLD_REFUND, tools))


def problems(tools: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(tools)
    return [str(p) for p in info.value.problems]


def line_of(tools: str, marker: str) -> int:
    """The file line where `marker` first appears in the tools block."""
    text = BASE.replace(OLD_REFUND, tools)
    return text[: text.index(marker)].count("\n") + 1


# -- using a tool ------------------------------------------------------------------------------


def test_a_choice_is_taken_as_the_scenario_spells_it_and_quoted_in_the_result():
    engine = ScenarioEngine(load())
    call = engine.new_call()
    use = engine.action(call, "book_visit", "  thursday 1PM-6pm ")  # case, spaces, dash aside
    assert use.arg == "Thursday 1pm–6pm"
    assert use.result == "Visit booked: Thursday 1pm–6pm."
    assert engine.action(call, "book_visit", "fri").arg == "Friday 8am–1pm"  # a unique start


def test_a_value_that_is_not_offered_is_refused_naming_the_choices_and_nothing_changes():
    engine = ScenarioEngine(load())
    call = engine.new_call()
    mood = call.mood
    with pytest.raises(CallError) as info:
        engine.action(call, "book_visit", "Saturday")
    assert str(info.value) == (
        "Book a visit: 'Saturday' is not offered; date and slot is one of: "
        "Thursday 8am–1pm; Thursday 1pm–6pm; Friday 8am–1pm"
    )
    with pytest.raises(CallError, match="could be any of: Thursday 8am–1pm; Thursday 1pm–6pm"):
        engine.action(call, "book_visit", "thursday")
    with pytest.raises(CallError, match="Book a visit needs date and slot: one of: "):
        engine.action(call, "book_visit")
    assert call.actions == [] and call.mood == mood


def test_a_number_is_checked_against_the_range_and_quoted_with_its_unit():
    engine = ScenarioEngine(load())
    call = engine.new_call()
    for typed, message in [
        ("45", "Refund a payment: £45 is above the highest allowed; amount in pounds is a "
               "number from £1 to £30"),
        ("£0.50", "Refund a payment: £0.50 is below the lowest allowed"),
        ("thirty", "Refund a payment: 'thirty' is not a number; amount in pounds is a number "
                   "from £1 to £30"),
        ("nan", "'nan' is not a number"),
        ("1e1", "'1e1' is not a number"),
    ]:
        with pytest.raises(CallError) as info:
            engine.action(call, "refund", typed)
        assert str(info.value).startswith(message) or message in str(info.value), typed
    assert call.actions == []
    use = engine.action(call, "refund", "£12.50")
    # a result is never a format string: other braces stay exactly as the trainer wrote them
    assert use.result == "Refund of £12.50 requested; 3 to 5 working days. {0.__class__} {HOME}"
    assert use.arg == "£12.50"
    assert engine.action(call, "months", "3 months").result == "Split over 3 months."
    assert engine.action(call, "months", "2").result == "Split over 2 months."


def test_free_text_stays_optional_and_is_quoted_as_typed_even_with_braces():
    free = TOOLS.replace('result: "Note added."', 'result: "Note added: {input}"')
    engine = ScenarioEngine(load(free))
    call = engine.new_call()
    use = engine.action(call, "note", "{input} {0} [b]x")
    assert use.result == "Note added: {input} {0} [b]x"  # replaced once, never re-read
    with pytest.raises(CallError, match="Add a note needs note text: free text"):
        engine.action(call, "note")  # its result quotes the value, so it needs one


def test_a_format_1_file_with_takes_as_text_keeps_loading_and_playing_as_before():
    engine = ScenarioEngine(load_scenario(GOOD / "double-charge.yaml"))
    call = engine.new_call()
    assert engine.action(call, "refund").arg is None  # optional, as it always was
    use = engine.action(call, "refund", "thirty quid")
    assert use.arg == "thirty quid"
    assert use.result == "Refund of the duplicate payment requested; 3 to 5 working days."


def test_the_guide_says_what_may_be_entered():
    tools = load().scenario.actions
    assert tools["book_visit"].input.guide.startswith("one of: Thursday 8am–1pm; ")
    assert tools["refund"].input.guide == "a number from £1 to £30"
    assert tools["months"].input.guide == "a number from 2 months to 3 months"
    assert tools["note"].input.guide == "free text" and not tools["note"].input.checked


# -- declaring inputs: positioned problems -----------------------------------------------------


@pytest.mark.parametrize(
    ("tools", "marker", "words"),
    [
        (TOOLS.replace("min: 1\n      max: 30", "min: 40\n      max: 30"), "what: amount",
         ("actions.refund.takes", "'min' (£40) is above 'max' (£30)")),
        (TOOLS.replace('choices: ["Thursday 8am–1pm", "Thursday 1pm–6pm", "Friday 8am–1pm"]',
                       "choices: []"), "[]",
         ("actions.book_visit.takes.choices", "needs at least 1 item")),
        (TOOLS.replace('"Friday 8am–1pm"', '"thursday 8am-1pm"'), "what: date",
         ("actions.book_visit.takes", "'thursday 8am-1pm' is listed twice")),
        (TOOLS.replace("max: 3, unit", "max: 3, choices: [two], unit"), "{what: number",
         ("actions.months.takes", "either 'choices' or a range")),
        (TOOLS.replace("min: 2, max: 3, unit: months", "unit: months"), "{what: number",
         ("actions.months.takes", "'unit' only applies to a number")),
        (TOOLS.replace("max: 30", "max:"), "max:", ("actions.refund.takes.max", "is empty")),
        (TOOLS.replace("max: 30", "max: .inf"), ".inf",
         ("actions.refund.takes.max", "must be a number, not '.inf'")),
        (TOOLS.replace("max: 30", 'max: "30"'), '"30"',
         ("actions.refund.takes.max", "must be a number, not '30'")),
        (TOOLS.replace("what: date and slot", "wat: date and slot"), "wat:",
         ("unknown key 'wat'", "did you mean 'what'")),
    ],
)
def test_a_bad_input_declaration_is_one_positioned_problem(tools, marker, words):
    found = problems(tools)
    assert len(found) == 1, found
    line = line_of(tools, marker)
    assert found[0].startswith(f"{GOOD / 'inputs.yaml'}:{line}:"), found[0]
    for word in words:
        assert word in found[0], found[0]


def test_a_result_quoting_input_on_a_tool_that_takes_nothing_is_an_error_at_the_result():
    tools = TOOLS + '  check:\n    label: Check\n    result: "Checked {input}."\n'
    found = [p for p in problems(tools) if ": error: " in p]
    line = line_of(tools, '"Checked {input}."')
    assert found == [
        f"{GOOD / 'inputs.yaml'}:{line}:13: error: the result of action 'check' quotes "
        "'{input}' but the action takes nothing; add 'takes:' to say what the trainee enters"
    ]


def test_other_braces_in_a_result_load_with_a_warning_only_where_a_value_is_taken():
    loaded = load()
    warnings = [str(w) for w in loaded.load_warnings]
    line = line_of(TOOLS, '"Refund of {input}')
    assert warnings == [
        f"{GOOD / 'inputs.yaml'}:{line}:13: warning: '{{HOME}}' in the result of action "
        "'refund' is shown as written; the value entered is quoted only as '{input}'"
    ]
