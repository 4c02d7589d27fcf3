"""Saved calls for the review and progress tests: stub-tagged plays, fixed ids, times; real
grades with set scores."""

from __future__ import annotations

from dataclasses import replace

from conftest import SCENARIO, stub_tagger

from callsim.engine.loader import load_scenario
from callsim.grading.grader import Grade, grade_transcript
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.sim.store import Store

GOOD = [
    "I'm so sorry it's still not working, I'm going to take ownership of this",
    "How has this affected you?",
    "/action line_test",
    "I can get an engineer out to you on Thursday between 8 and 1",
    "/end",
    "/notes Down since Monday; engineer Thursday 8-1",
]
POOR = ["It's probably your equipment", "I guarantee it'll be fixed within the hour", "/end"]
DIMENSIONS = [
    ("calm_tone", "Calm and professional tone"),
    ("active_listening", "Active listening"),
    ("empathy", "Empathy"),
    ("problem_solving", "Problem solving"),
]


def grade_for(session: CallSession, n: int, good: bool) -> Grade:
    """The call's real grade, narrowed to four dimensions whose scores climb with n (so trends
    are visible), with a satisfaction and first-contact result fixed by how good the call was."""
    real = grade_transcript(session.transcript(), session.loaded)
    base = 40 + 8 * n if good else 20 + 3 * n
    dims = tuple(
        replace(real.dimension(dim_id), score=min(100, base + 10 * i), band="fair")
        for i, (dim_id, _) in enumerate(DIMENSIONS)
    )
    kpis = replace(real.kpis, satisfaction_estimate=4 if good else 2, first_contact_resolution=good)
    return replace(real, score=base, band="fair", dimensions=dims, kpis=kpis)


def seed(store: Store, trainee: str, count: int, *, first_day: int = 1) -> list[str]:
    """`count` finished, graded calls by `trainee`, one a day, poor then good."""
    loaded = load_scenario(resolve_scenario(SCENARIO))
    ids = []
    for n in range(count):
        good = n >= count // 2
        call_id = f"{trainee[:4]:x<4}{n:04d}" + "0" * 24
        session = CallSession(
            loaded, trainee=trainee, tagger=stub_tagger, clock=SimulatedClock(), call_id=call_id
        )
        play_script(session, GOOD if good else POOR)
        day = f"2026-03-{first_day + n:02d}"
        transcript = session.transcript().model_copy(
            update={"started_at": f"{day}T09:00:00+00:00", "ended_at": f"{day}T09:08:00+00:00"}
        )
        store.save_call(transcript, grade_for(session, n, good))
        ids.append(call_id)
    return ids
