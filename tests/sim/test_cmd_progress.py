"""`callsim progress` says what a trend is over the calls it has: no trend from one call, the
first half against the second below 20 calls, the first 10 against the last 10 from 20 on."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.sim.store import ProgressPoint, Store
from callsim.sim.store_progress import compare, report

SCENARIO = "broadband-down-repeat-caller"
POOR = ["It's probably your equipment", "/end"]
GOOD = [
    "I'm so sorry about this, that sounds really stressful",
    "So it's been down since Monday morning and you work from home?",
    "/action line_test",
    "I can book an engineer on Thursday between 8am and 1pm",
    "/action book_engineer Thursday 8am-1pm",
    "/notes down since monday, router lights red, tried restart",
    "/end",
]


@pytest.fixture(scope="module")
def played():
    """One poor and one good call, really played and graded (copied to make a history)."""
    loaded = load_scenario(resolve_scenario(SCENARIO))
    out = {}
    for kind, lines in (("p", POOR), ("g", GOOD)):
        session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
        play_script(session, lines)
        session.finish()
        out[kind] = (session.transcript(), session.grade)
    return out


def history(db, played, pattern: str) -> None:
    """Ann's calls in the order of `pattern` ('p' poor, 'g' good), one a day."""
    store = Store(db)
    for n, kind in enumerate(pattern):
        transcript, grade = played[kind]
        call_id = f"{n:08d}" + "a" * 24
        day = f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}"
        store.save_call(
            transcript.model_copy(
                update={
                    "call_id": call_id,
                    "started_at": f"{day}T09:00:00+00:00",
                    "ended_at": f"{day}T09:08:00+00:00",
                }
            ),
            replace(grade, call_id=call_id),
        )


def progress(capsys, db) -> str:
    code = main(["progress", "ann", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def row(out: str, title: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(title))


def empathy(played, kind: str) -> float:
    return played[kind][1].dimension("empathy").score


def test_one_call_says_there_is_no_trend_yet(capsys, tmp_path, played):
    history(tmp_path / "c.db", played, "p")
    out = progress(capsys, tmp_path / "c.db")
    assert "Progress of ann: 1 call" in out
    assert "1 call: no trend yet" in row(out, "Dimension")
    assert "1 call: no trend yet" in row(out, "Indicator")
    assert "first 10" not in out and "->" not in out  # nothing compared with itself
    assert f"{empathy(played, 'p'):.1f}" in row(out, "Empathy")
    assert "Weakest now (from the one graded call)" in out


def test_a_few_calls_compare_the_first_half_with_the_second(capsys, tmp_path, played):
    history(tmp_path / "c.db", played, "ppgg")
    out = progress(capsys, tmp_path / "c.db")
    assert "Trends over 4 calls: first half against second half." in out
    assert "first 2 -> last 2" in row(out, "Dimension")
    assert "first 10" not in out
    poor, good = empathy(played, "p"), empathy(played, "g")
    assert good - poor > 5
    assert re.search(rf"{poor:.1f} -> +{good:.1f} ↑", row(out, "Empathy"))
    assert "first 2 -> last 2" in row(out, "Indicator")
    assert "Weakest now (mean of all 4 calls)" in out


def test_an_odd_count_leaves_the_middle_call_out(capsys, tmp_path, played):
    history(tmp_path / "c.db", played, "pgg")
    out = progress(capsys, tmp_path / "c.db")
    assert "Trends over 3 calls: first half against second half (middle call left out)." in out
    poor, good = empathy(played, "p"), empathy(played, "g")
    assert re.search(rf"{poor:.1f} -> +{good:.1f} ↑", row(out, "Empathy"))


def test_twenty_calls_compare_the_first_ten_with_the_last_ten(capsys, tmp_path, played):
    history(tmp_path / "c.db", played, "p" * 10 + "g" * 12)
    out = progress(capsys, tmp_path / "c.db")
    assert "Progress of ann: 22 calls" in out
    assert "first 10 -> last 10" in row(out, "Dimension")
    assert "Trends over" not in out
    poor, good = empathy(played, "p"), empathy(played, "g")
    assert re.search(rf"{poor:.1f} -> +{good:.1f} ↑", row(out, "Empathy"))
    assert "Weakest now (mean of the last 10 calls)" in out


def test_the_comparison_windows():
    assert compare([]) is None
    one = compare([40.0])
    assert one.window == 0 and one.later == 40 and one.change is None
    seven = compare([0, 0, 0, 50, 100, 100, 100])
    assert (seven.window, seven.earlier, seven.later, seven.calls) == (3, 0, 100, 7)
    nineteen = compare(list(range(19)))
    assert nineteen.window == 9
    many = compare([0.0] * 10 + [50.0] * 5 + [100.0] * 10)
    assert (many.window, many.earlier, many.later) == (10, 0, 100)


def test_a_dimension_scored_in_fewer_calls_says_over_how_many(played):
    from callsim.sim.commands.progress import render

    def point(n: int, scores: dict[str, float]) -> ProgressPoint:
        return ProgressPoint(
            f"c{n}", f"2026-01-{n + 1:02d}", SCENARIO, "resolved", 300, 480, 3.0, 50, scores, 3.0
        )

    points = [point(n, {"empathy": 10.0 * n}) for n in range(6)]
    points += [point(6, {"empathy": 60.0, "escalation": 20.0})]
    points += [point(7, {"empathy": 70.0, "escalation": 80.0})]
    out = "\n".join(render(report("ann", points), 24))
    assert "first 4 -> last 4" in row(out, "Dimension")
    assert "20.0 ->  80.0 ↑ (over 2 calls)" in row(out, "escalation")
    assert "(over" not in row(out, "empathy")
