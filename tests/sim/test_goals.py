"""A mentor's goals for a trainee, and how `callsim goal list` and `progress` say they move."""

from __future__ import annotations

from datetime import date

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import ProgressPoint, Store, StoreError
from callsim.sim.store_goals import Goal, goal_status, goals, remove_goal, set_goal

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"  # difficulty 3


def take_calls(store, n: int, reply: str = "I'm so sorry, how has that been for you?") -> None:
    loaded = load_scenario(resolve_scenario(SCENARIO))
    for _ in range(n):
        read = iter([reply, "/end", "", "s"]).__next__
        interactive(loaded, trainee="kim", mode="practice", read=lambda _, r=read: r(),
                    write=lambda line: None, store=store)  # fmt: skip


def test_a_mentor_sets_goals_and_sees_them_move(capsys, tmp_path):
    db = tmp_path / "calls.db"
    argv = ["--db", str(db)]
    assert main(["goal", "set", "kim", "--calls", "2", "--difficulty", "3", "--by",
                 "2099-01-31", "--mentor", "Mo", *argv]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        out.startswith("Goal ") and "for kim: 2 calls at difficulty 3 or above by 2099-01-31" in out
    )
    assert main(["goal", "set", "kim", "--dimension", "calm_tone", "--level", "good", *argv]) == 0
    assert "Calm and professional tone at 75 or above" in capsys.readouterr().out
    assert main(["goal", "list", "kim", *argv]) == 0
    listed = capsys.readouterr().out
    assert (
        "2 calls at difficulty 3 or above by 2099-01-31: not started (0 of 2 calls) (set by Mo)"
        in listed
    )
    assert "Calm and professional tone at 75 or above: not started (not scored yet)" in listed

    store = Store(db)
    take_calls(store, 1)
    store.close()
    assert main(["goal", "list", "kim", *argv]) == 0
    listed = capsys.readouterr().out
    assert "by 2099-01-31: in progress (1 of 2 calls)" in listed
    assert "Calm and professional tone at 75 or above: met (" in listed  # calm replies score 80+

    assert main(["progress", "kim", *argv]) == 0
    out = capsys.readouterr().out
    assert "Goals (set by a mentor):" in out
    assert out.index("Goals (set by a mentor):") < out.index("Weakest now")
    assert "Practise for your goals first (easiest first):" in out
    plan = out.splitlines()[
        out.splitlines().index("Practise for your goals first (easiest first):") + 1
    ]
    assert plan.startswith("  2 calls at difficulty 3 or above by 2099-01-31: ")
    assert "broadband-down-repeat-caller" in plan

    store = Store(db)
    take_calls(store, 1)
    [calls_goal, _] = goals(store, "kim")
    store.close()
    assert main(["goal", "list", "kim", *argv]) == 0
    assert "by 2099-01-31: met (2 of 2 calls)" in capsys.readouterr().out
    assert main(["goal", "remove", calls_goal.id[:6], *argv]) == 0
    assert "Removed goal" in capsys.readouterr().out
    assert len(goals(Store(db), "kim")) == 1


def test_bad_goals_are_refused_with_what_to_do(capsys, tmp_path):
    argv = ["--db", str(tmp_path / "calls.db")]
    assert main(["goal", "set", "kim", "--dimension", "charm", "--level", "good", *argv]) == 1
    assert "no rubric dimension 'charm' (the dimensions are: calm_tone," in capsys.readouterr().err
    assert main(["goal", "set", "kim", "--dimension", "empathy", "--level", "great", *argv]) == 2
    assert "'great' is not a level" in capsys.readouterr().err
    assert main(["goal", "set", "kim", "--calls", "3", "--difficulty", "3", "--by", "31/01/2027",
                 *argv]) == 2  # fmt: skip
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
    assert main(["goal", "set", "kim", "--calls", "3", *argv]) == 2
    assert "a calls goal takes --difficulty" in capsys.readouterr().err
    assert main(["goal", "set", "kim", "--calls", "3", "--difficulty", "9", *argv]) == 1
    assert "difficulty from 1 to 5" in capsys.readouterr().err
    assert main(["goal", "list", "kim", "--level", "good", *argv]) == 2
    assert main(["goal", "remove", "zz[red]", *argv]) == 1
    assert "is not a goal id" in capsys.readouterr().err
    assert main(["goal", "list", "[red]kim[/]", *argv]) == 0
    assert "[red]kim[/] has no goals yet" in capsys.readouterr().out
    with pytest.raises(StoreError, match="either a dimension"):
        set_goal(Store(tmp_path / "calls.db"), "kim")
    with pytest.raises(StoreError, match="no goal has an id"):
        remove_goal(Store(tmp_path / "calls.db"), "abc")


def goal(**kw) -> Goal:
    base = dict(id="g1", trainee="kim", kind="dimension", dimension="empathy", level=75.0,
                difficulty=None, calls=None, due="2026-06-30", set_by=None,
                created_at="x")  # fmt: skip
    base.update(kw)
    return Goal(**base)


def point(empathy: float | None) -> ProgressPoint:
    dims = {"empathy": empathy} if empathy is not None else {}
    return ProgressPoint("c", "2026-01-01", SCENARIO, "resolved", 1, 1, 1, 50, dims)


def test_a_dimension_goal_is_judged_on_the_latest_three_calls_and_can_be_overdue():
    points = [point(90), point(40), point(None), point(60), point(70)]
    st = goal_status(goal(), points, {}, date(2026, 6, 1))
    assert (st.state, st.value) == ("in progress", pytest.approx(56.67, abs=0.01))
    assert goal_status(goal(), points, {}, date(2026, 7, 1)).state == "overdue"
    assert goal_status(goal(level=50.0), points, {}, date(2026, 7, 1)).state == "met"
    assert goal_status(goal(), [], {}, date(2026, 6, 1)).state == "not started"


def test_the_printable_progress_page_lists_goals_and_the_self_assessment(capsys, tmp_path):
    from callsim.sim.store_training import SelfAssessment, save_self_assessment

    db = tmp_path / "calls.db"
    store = Store(db)
    take_calls(store, 1)
    set_goal(store, "kim", calls=3, difficulty=3, due="2099-01-31")
    [call] = store.list_calls()
    save_self_assessment(store, call.id, SelfAssessment({"calm_tone": "good"}))
    store.close()
    assert main(["progress", "kim", "--format", "html", "--db", str(db)]) == 0
    page = capsys.readouterr().out
    assert "<h2>Goals (set by a mentor)</h2>" in page
    assert (
        "<li>3 calls at difficulty 3 or above by 2099-01-31: in progress (1 of 3 calls)</li>"
        in page
    )
    assert "<h2>Self-assessment</h2>" in page and "1 call rated" in page
