"""A grade without contradictions (issue 13, items 2 and 3): each defect a trainer met, replayed.

Every test plays a real call (CallSession, the default tagger, the bundled scenario) or grades
a hand-made transcript where only a hand-made one shows the case, and checks what the debrief
says about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callsim.engine.loader import LoadedScenario, load_scenario
from callsim.engine.models import Outcome
from callsim.engine.transcript import Transcript, Turn
from callsim.grading.adjusted import Corrections, adjust
from callsim.grading.grader import Grade, grade_transcript
from callsim.grading.report import format_report
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.tui.grades import debrief_view

LEVELS = Path(__file__).parent / "levels"


@pytest.fixture(scope="module")
def scenarios() -> dict[str, LoadedScenario]:
    ids = (
        "broadband-down-repeat-caller",
        "manager-from-the-first-line",
        "bereavement-close-account",
        "roaming-bill-shock",
        "tv-box-fault",
    )
    return {sid: load_scenario(resolve_scenario(sid)) for sid in ids}


def play(loaded: LoadedScenario, lines: list[str]) -> tuple[Transcript, Grade]:
    session = CallSession(loaded, clock=SimulatedClock(), call_id="contradictions")
    problems = play_script(session, lines)
    assert all("has already ended" in p for p in problems), problems
    transcript = session.transcript()
    return transcript, grade_transcript(transcript, loaded)


def level(name: str, scenario_id: str) -> list[str]:
    return (LEVELS / scenario_id / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def whys(grade: Grade, dimension: str, side: str = "lost") -> list[str]:
    return [c.why for c in getattr(grade.dimension(dimension), side)]


# -- item 3: a turn is not credited and blamed for the same act ---------------------------------


def test_a_reply_that_asks_while_offering_is_not_blamed_for_offering_before_asking(scenarios):
    # its question is credited; "offered a solution before asking a single question" was false
    transcript, grade = play(
        scenarios["broadband-down-repeat-caller"],
        [
            "I'm sorry it's still down. I'll run a line test first and then book an engineer if "
            "it's a fault. What happens when you try to connect?",
        ],
    )
    reply = transcript.turns[1]
    assert {"open_question", "explain_steps"} <= set(reply.tags)
    dim = grade.dimension("clarifying_questions")
    assert any(c.turn == reply.index and "open question" in c.why for c in dim.earned)
    assert not any("before asking" in c.why for c in dim.lost)


def test_a_solution_before_any_question_is_still_blamed(scenarios):
    _, grade = play(
        scenarios["broadband-down-repeat-caller"],
        [
            "I'll run a line test first and then book an engineer if it's a fault.",
            "What happens when you try to connect?",
        ],
    )
    assert any("before asking a single question" in w for w in whys(grade, "clarifying_questions"))


# -- item 3: band texts agree with the evidence beside them -------------------------------------


def test_the_band_text_does_not_say_nothing_was_asked_beside_credited_questions(scenarios):
    _, grade = play(
        scenarios["tv-box-fault"],
        [
            "I'll run diagnostics on the box first, then send a reset.",
            "How can I help?",
            "How is your day going?",
            "What would you like me to do?",
            "And what's the best number to call you on?",
        ],
    )
    dim = grade.dimension("clarifying_questions")
    asked = [c for c in dim.earned if "question" in c.why]
    assert len(asked) >= 4
    assert dim.band == "poor"  # facts still unfound and a solution before them
    assert "Asks nothing" not in (dim.anchor or "") and "only yes/no" not in (dim.anchor or "")


def test_no_band_text_claims_an_absence_its_own_evidence_contradicts():
    # the level calls hold every band of every dimension between them
    claims = {
        "clarifying_questions": ("Asks nothing",),
        "active_listening": ("without showing anything",),
        "empathy": ("No acknowledgement",),
        "problem_solving": ("No checks, no fix",),
    }
    for folder in sorted(p for p in LEVELS.iterdir() if p.is_dir()):
        loaded = load_scenario(resolve_scenario(folder.name))
        for name in ("excellent", "good", "mediocre", "poor", "abusive"):
            _, grade = play(loaded, level(name, folder.name))
            for dim_id, words in claims.items():
                dim = grade.dimension(dim_id)
                if dim.earned:
                    assert not any(w in (dim.anchor or "") for w in words), (folder.name, name)


# -- item 3: facts withheld after being asked are not "never found out" -------------------------


def test_a_fact_asked_for_and_withheld_is_not_never_found_out(scenarios):
    # the customer answers three questions at once and leaves the fourth unanswered
    transcript, grade = play(
        scenarios["broadband-down-repeat-caller"],
        [
            "I'm sorry it's still down. When did it start, what lights are on the router, what "
            "have you tried, and what were you told when you called before?",
            "Right, I'm going to run a line test now.",
            "/action line_test",
        ],
    )
    assert "told_24_hours" not in transcript.revealed
    lost = whys(grade, "clarifying_questions")
    assert not any("never found out: told on Monday" in w for w in lost)
    # a fact the trainee never asked about still counts
    assert any("never found out: works from home" in w for w in lost)


def test_a_fact_the_customer_said_in_passing_is_not_never_found_out(scenarios):
    # "you promised me a discount and never gave it to me" is the customer's own line
    transcript, grade = play(
        scenarios["manager-from-the-first-line"], level("mediocre", "manager-from-the-first-line")
    )
    assert "retention_offer" not in transcript.revealed
    assert any("promised me a discount" in t.text for t in transcript.turns)
    lost = whys(grade, "clarifying_questions")
    assert not any("never found out: promised £15" in w for w in lost)
    assert any("never found out: has the July confirmation email" in w for w in lost)


# -- item 3: "never checked" does not apply to a check the customer cut off --------------------


def test_a_call_the_customer_hung_up_on_is_not_ended_without_checking(scenarios):
    # the trainee was checking (in words the tagger does not take for a check) when the
    # customer hung up: the customer ended the call, not the trainee
    transcript, grade = play(
        scenarios["roaming-bill-shock"],
        [
            "Right, the charges are for roaming outside the EU.",
            "Is that everything for today?",
            "Is that everything for today then?",
        ],
    )
    assert transcript.outcome == Outcome.hung_up
    hang_up = scenarios["roaming-bill-shock"].scenario.customer.hang_up_line
    assert transcript.turns[-1].text == hang_up
    assert not any("ended without checking" in w for w in whys(grade, "follow_up"))


def test_a_call_the_trainee_ends_without_a_check_still_loses_it(scenarios):
    transcript, grade = play(
        scenarios["broadband-down-repeat-caller"], level("mediocre", "broadband-down-repeat-caller")
    )
    assert transcript.outcome != Outcome.hung_up
    assert any("ended without checking" in w for w in whys(grade, "follow_up"))


def _made(loaded: LoadedScenario, *turns: tuple[str, str, dict[str, Any]], **fields: Any):
    built = [
        Turn(index=i, speaker=speaker, text=text, at=i * 10.0, **{"stage": "owed", **extra})
        for i, (speaker, text, extra) in enumerate(turns)
    ]
    data: dict[str, Any] = {
        "call_id": "hand-made",
        "scenario_id": loaded.scenario.id,
        "scenario_version": loaded.scenario.version,
        "started_at": "2026-12-01T09:00:00+00:00",
        "duration_seconds": 300.0,
        "outcome": "escalated",
        "escalated": True,
        "opening_mood": 8.0,
        "final_mood": 3.0,
        **fields,
    }
    return Transcript(turns=built, **data)


def test_the_check_before_a_handover_counts_the_briefing_of_the_colleague_out(scenarios):
    # the last three replies to the customer hold the check; the fourth reply briefs Marcus
    loaded = scenarios["manager-from-the-first-line"]
    transcript = _made(
        loaded,
        ("customer", "And the forty-five pounds?", {}),
        ("trainee", "Is there anything else I can help with?", {"tags": ["check_resolution"]}),
        ("customer", "Just the forty-five pounds.", {}),
        ("trainee", "That's over my limit.", {}),
        ("customer", "So who can?", {}),
        ("trainee", "I'll bring Marcus in now.", {"tags": ["escalation"], "intent": "escalate"}),
        ("customer", "(Marcus) What have we got?", {"stage": "handover"}),
        ("trainee", "Hi Marcus, it's Mrs Holloway.", {"stage": "handover", "handover": True}),
    )
    grade = grade_transcript(transcript, loaded)
    assert any("checked the problem was solved" in w for w in whys(grade, "follow_up", "earned"))
    assert not any("ended without checking" in w for w in whys(grade, "follow_up"))


# -- item 3: the wrap-up check quotes, accepts and names facts as the trainee would --------------


def test_the_wrap_up_check_quotes_the_notes_word_for_word(scenarios):
    sid = "broadband-down-repeat-caller"
    transcript, grade = play(scenarios[sid], level("excellent", sid))
    notes = transcript.wrap_up or ""
    recorded = [c for c in grade.dimension("follow_up").earned if c.quote_by == "notes"]
    assert len(recorded) == 4
    for cite in recorded:
        assert cite.quote and cite.quote.rstrip("…") in notes
    told = next(c for c in recorded if "told on Monday" in c.why)
    assert "Told 24 hours on Monday" in (told.quote or "")  # past the first 160 characters


def test_the_wrap_up_check_cites_the_line_where_the_customer_gave_the_fact(scenarios):
    transcript, grade = play(
        scenarios["manager-from-the-first-line"], level("excellent", "manager-from-the-first-line")
    )
    recorded = [c for c in grade.dimension("follow_up").earned if c.quote_by == "notes"]
    offer = next(c for c in recorded if "promised £15" in c.why)
    assert "fifteen pounds a month off" in transcript.turns[offer.turn].text


def test_notes_may_record_what_the_account_showed(scenarios):
    # the account panel says the direct debit failed because the account is frozen
    loaded = scenarios["bereavement-close-account"]
    lines = [line for line in level("good", loaded.scenario.id) if not line.startswith("/notes")]
    lines.append(
        "/notes Alan Greaves died 2 Oct. Keep landline and broadband in Patricia's name. "
        "Oct DD failed: his bank account is frozen."
    )
    transcript, grade = play(loaded, lines)
    assert "bank_frozen" not in transcript.revealed
    assert grade.wrap_up.not_revealed == ()
    assert not any("never said" in w for w in grade.warnings)


def test_notes_may_record_what_a_tool_or_the_customer_showed(scenarios):
    # the offer came from the account notes (a tool) and the customer's own opening complaint
    transcript, grade = play(
        scenarios["manager-from-the-first-line"], level("mediocre", "manager-from-the-first-line")
    )
    assert "retention_offer" not in transcript.revealed
    assert grade.wrap_up.not_revealed == ()
    assert grade.warnings == ()


def test_notes_recording_what_nobody_said_or_showed_are_still_warned(scenarios):
    loaded = scenarios["broadband-down-repeat-caller"]
    notes = "/notes Down since Monday. Router light flashing red."
    transcript, grade = play(loaded, ["Hello, when did it start?", notes])
    assert grade.wrap_up.not_revealed == ("router_lights",)
    assert "router light is flashing red" in format_report(grade, transcript)


def test_no_debrief_shows_an_internal_fact_id(scenarios):
    loaded = scenarios["broadband-down-repeat-caller"]
    transcript, grade = play(
        loaded,
        [
            "When did it start?",
            "What have you tried so far?",
            "/notes Down since Monday. Router light flashing red.",
        ],
    )
    assert grade.wrap_up.missing == ("tried_restart",)
    view = debrief_view(transcript, adjust(grade, Corrections()))
    shown = [format_report(grade, transcript), *view.wrap_up]
    for fid in loaded.scenario.facts:
        assert not any(fid in text for text in shown), fid
    assert "Missing: already restarted and tried another cable" in view.wrap_up
    # and a grade read back from its JSON says the same
    again = Grade.from_json(grade.to_json())
    assert again == grade
    assert format_report(again, transcript) == format_report(grade, transcript)


# -- item 2: the escalation tag does not move the call; a real handover is recognised ------------


def test_agreeing_to_a_manager_after_taking_details_does_not_hand_over(scenarios):
    transcript, _ = play(
        scenarios["manager-from-the-first-line"],
        [
            "Of course I'll get my team leader for you. Can I take a few details first, so you "
            "don't have to explain it all again?",
            "If you'd still like a manager once we've been through it, I'll bring one in.",
        ],
    )
    replies = [t for t in transcript.turns if t.speaker == "trainee"]
    assert "escalation" in replies[0].tags
    assert all(r.stage_after not in ("handover", "escalated_blind") for r in replies)
    assert transcript.outcome != Outcome.escalated


def test_the_escalation_tag_alone_never_moves_the_call(scenarios):
    class AlwaysEscalation:
        tags = ("escalation",)
        evidence = {"escalation": "everything"}

    loaded = scenarios["broadband-down-repeat-caller"]
    session = CallSession(loaded, clock=SimulatedClock(), tagger=lambda *a, **k: AlwaysEscalation())
    for line in ("I'm sorry it's still down.", "When did it first go down?"):
        session.say(line)
    assert session.stage not in ("handover", "escalated")
    assert not session.ended


def test_a_handover_briefed_in_words_is_not_escalation_required_and_not_made(scenarios):
    # the engine took "once I've explained it all to him" for a handover put off, so the call
    # never reached its handover stage; the trainee then briefed Marcus in full
    lines = level("excellent", "manager-from-the-first-line")[:12]
    lines += [
        "That's really helpful, keep hold of that email. Backdating £45 is more than I can "
        "authorise, so I'll bring Marcus, my team leader, in once I've explained it all to him, "
        "so you won't have to repeat any of it.",
        "Hi Marcus. I've got Mrs Holloway, a customer since 2011. In July she was promised £15 off "
        "a month for a year to stay and re-contracted, but the discount was never applied, so "
        "she's paid full price for August, September and October, £45 in all. She's chased "
        "twice and was promised call-backs that never came. I've applied RET15 from the November "
        "bill and logged complaint CMP-55120. She wants the £45 backdated, which is over my "
        "limit, and if we don't honour the offer she wants to leave without an exit fee.",
    ]
    transcript, grade = play(scenarios["manager-from-the-first-line"], lines)
    assert not any(t.handover for t in transcript.turns)  # the engine saw no handover
    assert "missed_escalation" not in {f.id for f in grade.flags}
    escalation = grade.dimension("escalation")
    assert not any("required and not made" in c.why for c in escalation.lost)
    earned = [c.why for c in escalation.earned]
    assert "escalated when it was required" in earned
    assert sum("the handover stated" in w for w in earned) == 3
    assert "escalation was required and not made" not in format_report(grade, transcript)


def test_talking_to_the_customer_about_the_fix_is_not_taken_for_a_handover(scenarios):
    # a reply to the customer names the issue and what was done, but speaks to "you"
    lines = [
        "Hello Mrs Holloway. I'll get a manager, but let me find out what's happened first.",
        "/action view_notes",
        "/action apply_discount RET15",
        "You were promised £15 off a month in July and it was never applied; I've applied the "
        "discount so your bill will be £47 from November.",
        "/end",
    ]
    transcript, grade = play(scenarios["manager-from-the-first-line"], lines)
    assert transcript.outcome != Outcome.escalated
    assert "missed_escalation" in {f.id for f in grade.flags}
