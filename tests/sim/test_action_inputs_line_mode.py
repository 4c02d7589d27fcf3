"""Line mode shows what a tool takes and says why a value is refused (issue 14, defect 7)."""

from __future__ import annotations

from callsim.engine.loader import load_scenario
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario


def feeder(lines: list[str]):
    """A fake `input`: gives the lines in turn, then end of input."""
    queue = list(lines)

    def read(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read


def test_actions_lists_choices_and_ranges_and_a_refused_value_says_what_is_allowed():
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    out: list[str] = []
    read = feeder(
        [
            "/actions",
            "/action book_engineer Saturday",
            "/action book_engineer",
            "/action book_engineer thursday 1",
            "/action credit 50",
            "/action credit £12",
            "/end",
            "",
        ]
    )
    assert interactive(loaded, trainee="sam", mode="practice", read=read, write=out.append) == 0
    text = "\n".join(out)
    # /actions: each tool with what it takes, the values allowed and the scenario's hint
    assert (
        "  book_engineer    Book engineer visit\n"
        "                     takes date and slot: one of: Thursday 8am–1pm; Thursday 1pm–6pm. "
        "The first engineer slots free in LS6."
    ) in text
    assert (
        "takes amount in pounds: a number from £3 to £30. £3 for each full day without "
        "service; more than £30 needs a team leader."
    ) in text
    assert "  line_test        Run line test\n  outage_check" in text  # takes nothing: one line
    # what was typed is refused with the choices or the range named
    assert (
        "Book engineer visit: 'Saturday' is not offered; date and slot is one of: "
        "Thursday 8am–1pm; Thursday 1pm–6pm"
    ) in text
    assert "Book engineer visit needs date and slot: one of: " in text
    assert "Type it after the name: /action book_engineer VALUE" in text
    assert (
        "Raise a service credit: £50 is above the highest allowed; amount in pounds is a "
        "number from £3 to £30"
    ) in text
    # accepted values are recorded as the scenario spells them and quoted in the result
    assert (
        "[Book engineer visit (Thursday 1pm–6pm)] Engineer booked: Thursday 1pm–6pm. "
        "Reference ENG-30718." in text
    )
    assert "[Raise a service credit (£12)] Credit of £12 raised for days without service." in text
    assert text.count("[Book engineer visit") == 1 and text.count("[Raise a service") == 1
