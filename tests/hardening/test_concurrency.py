"""Eight processes saving calls into one store at once, turn by turn: nothing lost, no errors.

Each process takes 50 calls through the store's real per-turn path (`Store.recorder`, one
write per turn, as `callsim run` and the app do), then saves each call whole with its grade
(a real grade, graded once per process and given each call's id and a score to check).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from callsim.sim.store import Store

PROCESSES = 8
CALLS = 50
REPLIES = ("I'm so sorry about this, {who} call {n}", "When did it first go down? ({who} {n})")

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from dataclasses import dataclass, field, replace
    from callsim.engine.loader import load_scenario
    from callsim.grading.grader import grade_transcript
    from callsim.sim.scenario_paths import resolve_scenario
    from callsim.sim.session import CallSession, SimulatedClock
    from callsim.sim.store import Store

    @dataclass
    class Tagged:
        tags: list
        evidence: dict = field(default_factory=dict)

    db, who, calls, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    replies = sys.argv[5:]
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    store = Store(db)
    first = CallSession(loaded, tagger=lambda *a: Tagged([]), clock=SimulatedClock())
    first.say(replies[0])
    first.end()
    real = grade_transcript(first.transcript(), loaded)
    print("ready", flush=True)
    while not os.path.exists(go):  # all start writing together
        time.sleep(0.005)
    for n in range(calls):
        s = CallSession(loaded, trainee=who, tagger=lambda *a: Tagged([]), clock=SimulatedClock(),
                        call_id=f"{who}-{n:03d}")
        store.recorder(s)
        for reply in replies:
            s.say(reply.format(who=who, n=n))
        s.end()
        s.write_notes(f"notes of {who} {n}")
        store.save_call(s.transcript(), replace(real, call_id=s.call_id, score=n))
    print("done", flush=True)
    """
)


def test_eight_processes_writing_400_calls_at_once(tmp_path):
    db = tmp_path / "calls.db"
    Store(db)  # created once, as a mentor's machine would have it
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), f"t{i}", str(CALLS), str(go), *REPLIES],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "done", err
        assert err == "", err

    store = Store(db)
    calls = store.list_calls()
    assert len(calls) == PROCESSES * CALLS
    assert {c.id for c in calls} == {
        f"t{i}-{n:03d}" for i in range(PROCESSES) for n in range(CALLS)
    }
    for c in calls:
        who, n = c.id.split("-")
        t = store.transcript(c.id)
        assert c.ended and t.trainee == who and t.wrap_up == f"notes of {who} {int(n)}"
        said = [turn.text for turn in t.trainee_turns()]
        assert said == [r.format(who=who, n=int(n)) for r in REPLIES], c.id
        assert [turn.index for turn in t.turns] == list(range(len(t.turns)))
        assert t.turns[0].speaker == "customer" and len(t.turns) == c.turn_count >= 5
        grade = store.grade(c.id)
        assert grade is not None and (grade.call_id, grade.score) == (c.id, int(n))
