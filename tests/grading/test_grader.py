"""Grading a call: what a trainee and a mentor read in the debrief, on real and hand-made calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from callsim.engine.loader import load_scenario
from callsim.engine.transcript import Transcript, Turn
from callsim.grading.grader import (
    first_contact_resolution,
    grade_transcript,
    makes_promise,
    satisfaction_estimate,
)
from callsim.grading.report import format_report
from callsim.grading.rubric import load_rubric
from callsim.sim.session import CallSession, SimulatedClock, play_script

ROOT = Path(__file__).resolve().parents[2]
BROADBAND = ROOT / "scenarios" / "broadband-down-repeat-caller.yaml"
DOUBLE_CHARGE = ROOT / "scenarios" / "double-charge-october.yaml"
SMALL_RUBRIC = Path(__file__).parent / "fixtures" / "rubrics" / "small.yaml"

GOOD = [
    "I'm so sorry it's still not working, that must be really frustrating after three calls. "
    "I'm going to take ownership of this.",
    "When did the connection first go down?",
    "How has this affected your work?",
    "So it's been down since Monday morning and you're losing work because you work from home?",
    "What lights can you see on the router?",
    "What have you tried so far?",
    "Let me run a line test on your connection",
    "/action line_test",
    "The test shows a fault outside your property, so I'm booking an engineer for Thursday "
    "between 8 and 1.",
    "/action book_engineer Thursday 8am-1pm",
    "I'll call you on Thursday afternoon to check it's working, and you'll get a text the "
    "evening before.",
    "Is there anything else I can help with today?",
    "/notes Down since Monday morning. Router light flashing red. Customer already restarted "
    "and swapped cable. Line test fault; engineer booked Thursday 8-1 ENG-30718.",
]
POOR = [
    "Right, what's the account number?",
    "Let me run a line test on your connection",
    "/action line_test",
    "I guarantee it'll be fixed today.",
    "An engineer will come out on Thursday to repair the line",
    "When did it first go down?",
    "OK bye",
]


@pytest.fixture(scope="module")
def broadband():
    return load_scenario(BROADBAND)


@pytest.fixture(scope="module")
def double_charge():
    return load_scenario(DOUBLE_CHARGE)


def play(loaded, lines: list[str]) -> Transcript:
    session = CallSession(loaded, clock=SimulatedClock(), call_id="test")
    assert play_script(session, lines) == []
    return session.transcript()


@pytest.fixture(scope="module")
def good_call(broadband):
    return play(broadband, GOOD)


@pytest.fixture(scope="module")
def poor_call(broadband):
    return play(broadband, POOR)


# -- hand-made transcripts ----------------------------------------------------------------------


def C(text: str, **kw: Any) -> tuple[str, str, dict]:
    return ("customer", text, kw)


def T(text: str, *tags: str, **kw: Any) -> tuple[str, str, dict]:
    return ("trainee", text, {"tags": list(tags), **kw})


def A(name: str, **kw: Any) -> tuple[str, str, dict]:
    return ("action", name, {"action": name, **kw})


def made(*turns: tuple[str, str, dict], **fields: Any) -> Transcript:
    built = [
        Turn(index=i, speaker=speaker, text=text, at=i * 10.0, **{"stage": "opening", **extra})
        for i, (speaker, text, extra) in enumerate(turns)
    ]
    data: dict[str, Any] = {
        "call_id": "hand-made",
        "scenario_id": "broadband-down-repeat-caller",
        "scenario_version": "1.0",
        "started_at": "2025-01-01T09:00:00+00:00",
        "duration_seconds": 300.0,
        "target_seconds": 480,
        "outcome": "resolved",
        "opening_mood": 7.0,
        "final_mood": 3.0,
    }
    data.update(fields)
    return Transcript(turns=built, **data)


def all_citations(grade):
    for d in grade.dimensions:
        yield from d.earned
        yield from d.lost


# -- a whole call -----------------------------------------------------------------------------


def test_good_and_poor_advisors_get_clearly_different_grades(good_call, poor_call, broadband):
    good = grade_transcript(good_call, broadband)
    poor = grade_transcript(poor_call, broadband)
    assert good.band == "good" and good.score >= 75
    assert poor.band == "poor" and poor.score <= 40
    assert good.score - poor.score >= 40
    for dim in ("active_listening", "empathy", "problem_solving", "managing_expectations"):
        assert good.dimension(dim).score > poor.dimension(dim).score, dim
    assert not good.flags
    assert {f.id for f in poor.flags} >= {"unkeepable_promise", "forbidden_promise"}
    assert good.kpis.first_contact_resolution and not poor.kpis.first_contact_resolution
    assert good.kpis.satisfaction_estimate > poor.kpis.satisfaction_estimate


def test_every_point_of_the_grade_cites_turns_of_the_call(good_call, poor_call, broadband):
    for transcript in (good_call, poor_call):
        grade = grade_transcript(transcript, broadband)
        by_index = {t.index: t for t in transcript.turns}
        cites = list(all_citations(grade))
        assert cites
        for c in cites:
            assert c.turn in by_index and all(t in by_index for t in c.turns)
            assert c.why
            if c.quote_by in ("trainee", "customer"):
                shown = c.quote.rstrip("…")
                assert " ".join(by_index[c.turn].text.split()).startswith(shown)
            if c.quote_by == "trainee":
                assert by_index[c.turn].speaker == "trainee"
        for d in grade.dimensions:
            if d.score is not None:
                assert 0 <= d.score <= 100 and d.anchor
        for f in grade.flags:
            assert f.turn in by_index and f.quote


def test_earned_points_name_the_reply_that_earned_them(good_call, broadband):
    grade = grade_transcript(good_call, broadband)
    empathy = grade.dimension("empathy")
    first_reply = good_call.trainee_turns()[0]
    assert any(c.turn == first_reply.index for c in empathy.earned)
    listening = grade.dimension("active_listening")
    playback = next(t for t in good_call.trainee_turns() if t.text.startswith("So it's been"))
    assert [c.turn for c in listening.earned if "key fact" in c.why] == [playback.index] * 2


def test_flags_cap_the_total_and_name_the_turn(good_call, broadband):
    rubric = load_rubric(SMALL_RUBRIC)
    guarantee = "I guarantee it'll be fixed within the hour."
    transcript = made(
        C("It's still down!"),
        T("I'm so sorry, that sounds really frustrating.", "empathy"),
        C("It is."),
        T("I can hear how stressful this has been.", "empathy"),
        C("So?"),
        T(guarantee, "over_promise", "timeline"),
        C("Fine."),
    )
    grade = grade_transcript(transcript, broadband, rubric)
    assert grade.uncapped > 30
    assert grade.score == 30 and grade.cap == 30
    [flag] = grade.flags
    assert flag.turn == 5 and flag.quote == guarantee
    report = format_report(grade, transcript)
    assert f"capped at 30 by critical flags (would have been {grade.uncapped})" in report
    assert "! turn 5: guaranteed what cannot be kept" in report


def test_the_default_flags_cap_an_otherwise_good_call(broadband):
    lines = [
        line + " I guarantee the engineer will fix it."
        if line.startswith("I'll call you")
        else line
        for line in GOOD
    ]
    grade = grade_transcript(play(broadband, lines), broadband)
    assert grade.uncapped > 50
    assert grade.score <= 50
    assert {"unkeepable_promise", "forbidden_promise"} <= {f.id for f in grade.flags}


def test_feedback_quotes_the_trainee_and_says_what_to_try(poor_call, broadband):
    grade = grade_transcript(poor_call, broadband)
    replies = {" ".join(t.text.split()) for t in poor_call.trainee_turns()}
    assert grade.feedback
    quoted = [f for f in grade.feedback if f.text.startswith("You said '")]
    assert quoted
    for f in quoted:
        assert f.quote in replies
        assert f.text.startswith(f"You said '{f.quote}'. Try ")
    assert all("Try" in f.text for f in grade.feedback)
    # the guarantee, which capped the total, comes first
    assert grade.feedback[0].quote == "I guarantee it'll be fixed today."


def test_a_call_that_neither_needed_nor_had_escalation_leaves_it_out(good_call, broadband):
    grade = grade_transcript(good_call, broadband)
    assert grade.dimension("escalation").score is None
    assert "Escalation" in format_report(grade, good_call)


def test_grade_json_has_what_the_debrief_and_a_mentor_need(poor_call, broadband):
    data = json.loads(json.dumps(grade_transcript(poor_call, broadband).to_json()))
    assert isinstance(data["score"], int) and data["band"] == "poor"
    dim = data["dimensions"][0]
    assert {"id", "title", "score", "band", "anchor", "earned", "lost"} <= set(dim)
    lost = [c for d in data["dimensions"] for c in d["lost"]]
    assert all(isinstance(c["turn"], int) and c["turns"] and c["why"] for c in lost)
    assert all("try" in c for c in lost)
    assert all({"message", "turn", "cap", "try"} <= set(f) for f in data["flags"])
    assert data["kpis"]["outcome"] == "unresolved"
    assert all(f["text"] for f in data["feedback"])


def test_another_rubric_grades_by_its_own_dimensions(good_call, broadband):
    grade = grade_transcript(good_call, broadband, load_rubric(SMALL_RUBRIC))
    assert grade.rubric_id == "small"
    assert [d.id for d in grade.dimensions] == ["empathy", "promises"]


# -- KPIs ---------------------------------------------------------------------------------------


def test_kpis_on_a_hand_made_call(broadband):
    transcript = made(
        C("Hello?"),
        T("What happened?", "open_question"),
        C("It broke."),
        T("Is the light red?", "closed_question"),
        C("Yes."),
        T("So it broke and the light is red?", "reflection", "closed_question"),
        C("Yes."),
        T("You've had a rough week with this.", "reflection", "empathy"),
        C("Bye."),
        duration_seconds=600.0,
        target_seconds=480,
        final_mood=3.0,
        hints_used=1,
    )
    k = grade_transcript(transcript, broadband).kpis
    assert k.handling_seconds == 600.0 and k.target_seconds == 480
    assert k.handling_vs_target == 1.25 and k.within_target is False
    assert (k.questions, k.open_questions, k.reflections) == (3, 1, 2)
    assert k.reflections_per_question == 0.67
    assert k.open_question_share == 0.33
    assert k.satisfaction_estimate == 4
    assert k.first_contact_resolution is True
    assert k.hints_used == 1


def test_no_questions_means_no_ratio_not_a_crash(broadband):
    transcript = made(C("Hello?"), T("I'll sort it."), C("Ok."))
    grade = grade_transcript(transcript, broadband)
    assert grade.kpis.reflections_per_question is None
    assert grade.kpis.open_question_share is None
    assert "n/a (no questions)" in format_report(grade, transcript)


@pytest.mark.parametrize(
    ("mood", "outcome", "csat"),
    [
        (0, "resolved", 5),
        (2, "resolved", 5),
        (2.5, "resolved", 4),
        (4, None, 4),
        (6, None, 3),
        (7.9, None, 2),
        (8.1, None, 1),
        (10, None, 1),
        (0.5, "hung_up", 1),
    ],
)
def test_satisfaction_estimate_from_the_final_mood(mood, outcome, csat):
    from callsim.engine.models import Outcome

    assert satisfaction_estimate(mood, Outcome(outcome) if outcome else None) == csat


def test_first_contact_resolution():
    from callsim.engine.models import Outcome

    assert first_contact_resolution(Outcome.resolved, False)
    assert first_contact_resolution(Outcome.escalated, True)
    assert not first_contact_resolution(Outcome.escalated, False)
    assert not first_contact_resolution(Outcome.unresolved, False)
    assert not first_contact_resolution(Outcome.hung_up, True)
    assert not first_contact_resolution(None, False)
    assert not first_contact_resolution(Outcome.escalated, True, passed_off=True)


# -- scenario expectations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "promise", "made_it"),
    [
        ("It will be fixed today, don't worry.", "It will be fixed today", True),
        ("it'll be fixed today", "It will be fixed today", True),  # a contraction is no way out
        ("I can't promise it will be fixed today.", "It will be fixed today", False),
        ("It will not be fixed today, sorry.", "It will be fixed today", False),
        ("Sorry. It will be fixed today.", "It will be fixed today", True),
        ("I can't say. It will be fixed today though!", "It will be fixed today", True),
        ("I promise this will never happen again.", "This will never happen again", True),
        ("I can't say this will never happen again.", "This will never happen again", False),
        (
            "Nobody can guarantee the engineer will fix it",
            "I guarantee the engineer will fix it",
            False,
        ),
        ("IT WILL BE FIXED TODAY!!", "It will be fixed today", True),
    ],
)
def test_forbidden_promises_are_matched_minding_negation(reply, promise, made_it):
    assert makes_promise(reply, promise, 85) is made_it


def test_wrap_up_is_graded_against_the_facts_actually_revealed(broadband):
    transcript = made(
        C("Still down."),
        T(
            "When did it start?",
            "open_question",
            revealed=["down_since_monday"],
            fact_asked="down_since_monday",
        ),
        C("It went off on Monday morning."),
        T(
            "What have you tried?",
            "open_question",
            revealed=["tried_restart"],
            fact_asked="tried_restart",
        ),
        C("I've restarted it ten times."),
        revealed=["down_since_monday", "tried_restart"],
        wrap_up="Down since Monday. Router light flashing red.",
    )
    grade = grade_transcript(transcript, broadband)
    w = grade.wrap_up
    assert w.required == ("down_since_monday", "tried_restart")  # router_lights never revealed
    assert w.recorded == ("down_since_monday",)
    assert w.missing == ("tried_restart",)
    assert w.not_revealed == ("router_lights",)
    assert any("router light is flashing red" in x and "never said" in x for x in grade.warnings)
    lost = grade.dimension("follow_up").lost
    assert any("already restarted" in c.why and c.turn == 4 for c in lost)
    report = format_report(grade, transcript)
    assert "missing: already restarted and tried another cable" in report
    assert "tried_restart" not in report and "router_lights" not in report  # no internal ids


def test_key_facts_must_be_played_back_after_they_were_given(broadband):
    transcript = made(
        C("Still down."),
        T(
            "When did it start?",
            "open_question",
            revealed=["down_since_monday"],
            fact_asked="down_since_monday",
        ),
        C("It went off on Monday morning."),
        T("I'll run a test.", "explain_steps"),
        C("Ok."),
        revealed=["down_since_monday"],
    )
    lost = grade_transcript(transcript, broadband).dimension("active_listening").lost
    [missed] = [c for c in lost if "key fact" in c.why]
    assert missed.turn == 2 and missed.quote_by == "customer"
    assert "down since Monday morning" in missed.try_


def test_asking_again_loses_credit_but_confirming_does_not(broadband):
    asked = dict(fact_asked="down_since_monday")
    transcript = made(
        C("Still down."),
        T("When did it start?", "open_question", revealed=["down_since_monday"], **asked),
        C("Monday morning."),
        T("So since Monday morning?", "reflection", "closed_question", **asked),
        C("Yes."),
        T("When did it start, sorry?", "open_question", **asked),
        C("I've already told you that."),
        revealed=["down_since_monday"],
    )
    lost = grade_transcript(transcript, broadband).dimension("active_listening").lost
    assert [c.turn for c in lost if "asked again" in c.why] == [5]


def test_missed_escalation_is_flagged_at_the_customers_demand(broadband):
    demand = broadband.scenario.customer.demand_line
    transcript = made(
        C("Down again."),
        T("Have you restarted it?", "closed_question"),
        C(demand),
        T("I can sort it myself.", "explain_steps"),
        C("Bye."),
        manager_demanded=True,
        outcome="unresolved",
    )
    grade = grade_transcript(transcript, broadband)
    assert "missed_escalation" in {f.id for f in grade.flags}
    flag = next(f for f in grade.flags if f.id == "missed_escalation")
    assert flag.turn == 2 and flag.quote == demand
    esc = grade.dimension("escalation")
    assert esc.lost and esc.lost[0].turn == 2 and "demanded a manager" in esc.lost[0].why
    assert grade.kpis.escalation_required and not grade.kpis.first_contact_resolution


def test_required_escalation_with_a_full_handover_earns_credit(broadband):
    transcript = made(
        C("Get me a manager."),
        T(
            "I'll bring my team leader in now.",
            "escalation",
            intent="escalate",
            stage_after="handover",
        ),
        C("(Team leader) Can you give me a quick summary?"),
        T(
            "Jordan's broadband has been down since Monday. I ran a line test and it shows a "
            "fault. Jordan works from home and is really frustrated.",
            handover=True,
            stage="handover",
            stage_after="escalated",
        ),
        C("(Team leader) Thanks."),
        manager_demanded=True,
        escalated=True,
        outcome="escalated",
        revealed=["down_since_monday", "works_from_home"],
    )
    grade = grade_transcript(transcript, broadband)
    esc = grade.dimension("escalation")
    assert not esc.lost
    assert [c.turn for c in esc.earned] == [1, 3, 3, 3]
    assert esc.score == 100
    assert grade.kpis.first_contact_resolution
    assert "missed_escalation" not in {f.id for f in grade.flags}


def test_a_thin_handover_loses_what_it_leaves_out(broadband):
    transcript = made(
        C("Get me a manager."),
        T(
            "Let me put you through to my manager.",
            "escalation",
            intent="escalate",
            stage_after="handover",
        ),
        C("(Team leader) Summary?"),
        T("Customer wants you.", handover=True, stage="handover", stage_after="escalated"),
        C("(Team leader) Thanks."),
        manager_demanded=True,
        escalated=True,
        outcome="escalated",
    )
    lost = grade_transcript(transcript, broadband).dimension("escalation").lost
    assert {c.why for c in lost} >= {
        "the handover left out the issue",
        "the handover left out what had been done",
    }
    assert all(c.turn == 3 for c in lost)


def test_escalating_where_the_scenario_says_avoid_passes_the_customer_off(double_charge):
    transcript = made(
        C("I've been charged twice."),
        T(
            "I'll transfer you to billing disputes.",
            "escalation",
            intent="escalate",
            stage_after="transfer",
        ),
        C("Transfer me?"),
        scenario_id="double-charge-october",
        escalated=True,
        outcome="escalated",
    )
    grade = grade_transcript(transcript, double_charge)
    lost = grade.dimension("escalation").lost
    assert lost and lost[0].turn == 1 and "passes the customer off" in lost[0].why
    assert not grade.kpis.first_contact_resolution


def test_without_the_scenario_only_the_transcript_is_graded(good_call):
    grade = grade_transcript(good_call)
    assert not grade.scenario_checked
    assert any("without the scenario" in w for w in grade.warnings)
    assert not any("key fact" in c.why for c in all_citations(grade))
    assert grade.dimension("empathy").score is not None


@pytest.mark.parametrize(
    "scenario",
    ["broadband-down-repeat-caller", "double-charge-october", "manager-from-the-first-line"],
)
def test_the_bundled_good_and_poor_scripts_grade_far_apart(scenario):
    loaded = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")
    scripts = ROOT / "tests" / "sim" / "scripts"
    good, poor = (
        grade_transcript(
            play(loaded, (scripts / f"{scenario}.{k}.txt").read_text("utf-8").splitlines()),
            loaded,
        )
        for k in ("good", "poor")
    )
    assert poor.band == "poor" and good.band in ("good", "fair")
    assert good.score - poor.score >= 30
    assert good.kpis.first_contact_resolution and not poor.kpis.first_contact_resolution


def test_escalating_before_listening_passes_off_even_a_required_escalation():
    loaded = load_scenario(ROOT / "scenarios" / "manager-from-the-first-line.yaml")
    poor = ROOT / "tests" / "sim" / "scripts" / "manager-from-the-first-line.poor.txt"
    transcript = play(loaded, poor.read_text("utf-8").splitlines())
    grade = grade_transcript(transcript, loaded)
    esc = grade.dimension("escalation")
    assert not esc.earned
    first = esc.lost[0]
    assert "before doing what had to come first" in first.why
    assert transcript.turns[first.turn].speaker == "trainee" and first.try_
