"""A mentor's corrections count (issue 13, item 4): an override or a cleared critical flag
changes the grade every surface states first, the correction is said at the top, and
`callsim agreement` counts only what mentors scored, by the rubric's names."""

from __future__ import annotations

import json
import re

import pytest

from callsim.grading.adjusted import adjust
from callsim.sim.cli import main
from callsim.sim.store import Store

SCENARIO = "broadband-down-repeat-caller"
#: A call the grader caps: a guarantee raises the unkeepable-promise flag (cap 50).
CAPPED_CALL = [
    "I'm so sorry about this, that sounds really stressful",
    "So it's been down since Monday morning and you work from home?",
    "/action line_test",
    "I guarantee it'll be fixed within the hour",
    "/notes down since monday, router lights red",
    "/end",
]


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return tmp_path / "calls.db"


def play(capsys, db, tmp_path, lines=CAPPED_CALL, name="call"):
    script = tmp_path / f"{name}.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = {c.id for c in Store(db).list_calls()} if db.exists() else set()
    code, _, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", db,
                       "--trainee", "ann")  # fmt: skip
    assert code == 0, err
    [new] = {c.id for c in Store(db).list_calls()} - before
    return new


def test_an_override_changes_the_grade_shown_first_everywhere(capsys, db, tmp_path):
    call = play(capsys, db, tmp_path)
    store = Store(db)
    auto = store.grade(call)
    assert auto is not None
    empathy = auto.dimension("empathy")
    store.set_override(call, "empathy", 0, "the apology was a formula", author="Mo Patel")
    expected = adjust(auto, store.corrections(call))
    assert expected.score != auto.score  # the override moves the total

    code, out, _ = cli(capsys, "show", call[:8], "--db", db)
    assert code == 0
    headline = f"Grade: mentor-adjusted {expected.score}/100 ({expected.band}) (auto {auto.score})"
    assert headline in out
    correction = out.split("Mentor's correction:", 1)[1]
    assert re.search(
        rf"Mentor Mo Patel, \d{{4}}-\d\d-\d\d \d\d:\d\d UTC: Empathy {empathy.score} -> 0\. "
        "Reason: the apology was a formula",
        correction,
    )
    assert out.index("Mentor's correction:") < out.index("Critical flags:")

    code, out, _ = cli(capsys, "sessions", "--db", db)
    assert f"{expected.score} (auto {auto.score})" in out
    code, out, _ = cli(capsys, "sessions", "--db", db, "--json")
    assert json.loads(out)[0]["mentor_adjusted_score"] == expected.score

    for fmt in ("md", "html"):
        code, out, _ = cli(capsys, "export", call[:8], "--format", fmt, "--db", db)
        assert code == 0
        assert f"mentor-adjusted {expected.score}/100" in out and "Mo Patel" in out


def test_a_cleared_critical_flag_lifts_its_cap(capsys, db, tmp_path):
    call = play(capsys, db, tmp_path)
    store = Store(db)
    auto = store.grade(call)
    assert auto is not None and [f.id for f in auto.flags] == ["unkeepable_promise"]
    # the mentor rescores what the grader missed: the total would pass the flag's cap of 50
    for dim in ("active_listening", "problem_solving", "managing_expectations", "follow_up"):
        store.set_override(call, dim, 90, "did it, in other words", author="Mo")
    capped = adjust(auto, store.corrections(call))
    assert capped.score == 50 < capped.uncapped
    code, out, _ = cli(capsys, "show", call[:8], "--db", db)
    assert (
        f"Grade: mentor-adjusted 50/100 (fair) (auto {auto.score}), capped at 50 by critical "
        f"flags (would have been {capped.uncapped})"
    ) in out

    store.clear_flag(call, "unkeepable_promise", "said with the engineer's slot", author="Mo")
    code, out, _ = cli(capsys, "show", call[:8], "--db", db)
    assert code == 0
    grade_line = next(line for line in out.splitlines() if line.startswith("Grade:"))
    assert grade_line.startswith(f"Grade: mentor-adjusted {capped.uncapped}/100")
    assert "capped" not in grade_line
    assert "cleared the critical flag 'guaranteed something an advisor cannot keep'" in out
    assert "Reason: said with the engineer's slot" in out
    flags = out.split("Critical flags:", 1)[1]
    assert "(cleared by Mentor Mo" in flags and "no longer caps the total" in flags
    code, out, _ = cli(capsys, "sessions", "--db", db)
    assert f"{capped.uncapped} (auto {auto.score})" in out

    store.restore_flag(call, "unkeepable_promise")
    code, out, _ = cli(capsys, "show", call[:8], "--db", db)
    assert "Grade: mentor-adjusted 50/100" in out and "capped at 50" in out


def test_clearing_a_flag_needs_a_reason(db, capsys, tmp_path):
    from callsim.sim.store import StoreError

    call = play(capsys, db, tmp_path)
    with pytest.raises(StoreError, match="needs a reason"):
        Store(db).clear_flag(call, "unkeepable_promise", "  ")


def test_agreement_counts_only_what_mentors_scored_by_the_rubrics_names(capsys, db, tmp_path):
    reviewed = play(capsys, db, tmp_path, name="a")
    unreviewed = play(capsys, db, tmp_path, name="b")
    store = Store(db)
    auto = store.grade(reviewed).dimension("empathy").score
    store.set_override(reviewed, "empathy", min(100, auto + 30), "named the impact")
    store.mark_reviewed(reviewed, reviewer="Mo")
    store.set_override(unreviewed, "calm_tone", 0, "still reviewing")  # not marked done

    # the calls were played from scripts: counted only when asked
    code, out, _ = cli(capsys, "agreement", "--db", db, "--include-scripted")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["DIMENSION", "MEAN", "DIFF", "WITHIN", "10", "SCORES"]
    rows = [line for line in lines[1:] if line and not line.startswith("Only")]
    assert len(rows) == 1  # the one score a mentor set on a reviewed call
    assert rows[0].startswith("Empathy ") and rows[0].split()[-1] == "1"
    assert "empathy" not in out and "calm_tone" not in out and "Calm" not in out
    code, out, _ = cli(capsys, "agreement", "--db", db, "--json", "--include-scripted")
    [row] = json.loads(out)
    assert row["title"] == "Empathy" and row["count"] == 1 and row["within_10"] == 0
