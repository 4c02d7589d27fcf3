"""Assignments (issue 15, item 3): a trainer assigns a scenario to a trainee or a team by a
date; it is done once the trainee finishes a call of it after it was assigned. On SQLite and
PostgreSQL, an older store upgrading with nothing lost, and the roles on the server."""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg
import pytest
from test_cohort import SCENARIO, take_call

from callsim.sim.cli import main
from callsim.sim.store import Store, StoreError
from callsim.sim.store_assignments import assign, assignments, open_first, remove

pytestmark = pytest.mark.usefixtures("close_stores")

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


def test_an_assignment_is_done_by_a_call_taken_after_it_and_overdue_past_its_date(any_db):
    store = Store(any_db)
    take_call(store, "ann", days=1)  # before it was assigned: does not count
    [mine] = assign(store, SCENARIO, ["ann"], NEXT_WEEK, by="tess")
    [late] = assign(store, "double-charge-october", ["ann"], "2020-01-31")
    assign(store, SCENARIO, ["bob"], NEXT_WEEK)
    found = {x.id: x for x in assignments(store, ["ann"])}
    assert set(found) == {mine.id, late.id}
    assert found[mine.id].state() == "open" and found[mine.id].words() == f"due {NEXT_WEEK}"
    assert found[late.id].state() == "overdue"
    assert found[late.id].words() == "overdue (due 2020-01-31)"
    assert [x.id for x in open_first(found.values())] == [late.id, mine.id]

    call_id = take_call(store, "ann", days=0)
    done = {x.id: x for x in assignments(store, ["ann"])}[mine.id]
    assert done.state() == "done" and done.done_call == call_id
    assert done.words() == f"done {date.today().isoformat()} (call {call_id[:8]})"
    # Bob's is still open: Ann's call is not his
    assert [x.state() for x in assignments(store, ["bob"])] == ["open"]
    assert len(assignments(store)) == 3

    assert remove(store, late.id[:6]).id == late.id
    assert [x.id for x in assignments(store, ["ann"])] == [mine.id]
    with pytest.raises(StoreError, match="no assignment has an id starting"):
        remove(store, late.id[:6])


def test_a_scripted_call_does_not_complete_an_assignment(tmp_path, capsys):
    db = tmp_path / "c.db"
    store = Store(db)
    assign(store, SCENARIO, ["ann"], NEXT_WEEK)
    script = tmp_path / "s.txt"
    script.write_text("I'm so sorry, how has that been?\n")
    argv = ["run", SCENARIO, "--script", str(script), "--trainee", "ann", "--db", str(db)]
    assert main(argv) == 0, capsys.readouterr().err
    assert [x.state() for x in assignments(store, ["ann"])] == ["open"]


def test_the_command_assigns_lists_and_removes_and_the_cohort_counts_them(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    argv = ["assign", SCENARIO, "--to", "ann", "--due", NEXT_WEEK, "--trainer", "tess"]
    assert main([*argv, "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Assigned {SCENARIO} to ann, due {NEXT_WEEK} (id ")
    short = out.rsplit("(id ", 1)[1].strip(" )\n")
    assert main(["assign", "--list", "--db", db]) == 0
    assert capsys.readouterr().out == f"{short}  ann  {SCENARIO}  due {NEXT_WEEK} (from tess)\n"
    take_call(Store(db), "ann")
    assert main(["assign", "--list", "--trainee", "ann", "--db", db]) == 0
    assert f"{SCENARIO}  done {date.today().isoformat()} (call " in capsys.readouterr().out
    assert main(["cohort", "--json", "--db", db]) == 0
    [ann] = json.loads(capsys.readouterr().out)["trainees"]
    assert ann["assignments"] == {"done": 1, "open": 0, "overdue": 0}
    assert main(["cohort", "--db", db]) == 0
    assert "  ann              1 done, 0 open" in capsys.readouterr().out
    assert main(["assign", "--remove", short, "--db", db]) == 0
    assert capsys.readouterr().out.startswith(f"Removed assignment {short}: {SCENARIO} for ann")
    assert main(["assign", "--list", "--db", db]) == 0
    assert "There are no assignments" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([SCENARIO, "--to", "ann"], "--due YYYY-MM-DD"),
        ([SCENARIO, "--due", NEXT_WEEK], "--to NAME or --team T"),
        (["no-such-scenario", "--to", "ann", "--due", NEXT_WEEK], "no scenario 'no-such"),
        ([SCENARIO, "--to", "ann", "--due", "soon"], "'soon' is not a date"),
        ([SCENARIO, "--to", "ann", "--due", "2020-01-01"], "2020-01-01 has already passed"),
        ([SCENARIO, "--team", "north", "--due", NEXT_WEEK], "teams are kept on a team's"),
        (["--list", "--to", "ann"], "--to goes with assigning"),
        (["--remove", "zz"], "'zz' is not an assignment id"),
        ([], "give SCENARIO --to NAME|--team T --due DATE"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, argv, says):
    db = tmp_path / "c.db"
    Store(db).close()
    assert main(["assign", *argv, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_a_store_from_before_assignments_upgrades_with_nothing_lost(any_db, monkeypatch):
    from callsim.sim import store as store_module
    from callsim.sim import store_migrations

    monkeypatch.setattr(store_module, "MIGRATIONS", store_migrations.MIGRATIONS[:6])
    old = Store(any_db)
    assert old.version == 6
    call_id = take_call(old, "ann", days=1)
    old.close()
    monkeypatch.undo()
    store = Store(any_db)
    assert store.version == 7
    assert store.transcript(call_id).trainee == "ann" and store.grade(call_id) is not None
    assign(store, SCENARIO, ["ann"], NEXT_WEEK)
    assert [x.state() for x in assignments(store)] == ["open"]  # the call came before it


# -- roles on a team's server ------------------------------------------------------------------

ANN, BOB, CAT, MO, TESS = "a15_ann", "a15_bob", "a15_cat", "a15_mo", "a15_tess"
PASSWORD = "pw-for-tests"


def as_(url: str, who: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{who}@", 1)


def sql(url: str, who: str) -> psycopg.Connection:
    return psycopg.connect(as_(url, who), password=PASSWORD, autocommit=True)


@pytest.fixture
def team(pg_url, capsys, monkeypatch):
    assert main(["admin", "init", "--db", pg_url]) == 0
    for name in ("north", "south"):
        assert main(["admin", "add-team", name, "--db", pg_url]) == 0
    for name, role, where in (
        (ANN, "trainee", "north"),
        (BOB, "trainee", "north"),
        (CAT, "trainee", "south"),
        (MO, "mentor", "north"),
        (TESS, "trainer", None),
    ):
        argv = ["admin", "add-person", name, "--role", role, "--db", pg_url]
        assert main(argv + (["--team", where] if where else [])) == 0, capsys.readouterr().err
    with psycopg.connect(pg_url, autocommit=True) as admin:
        for name in (ANN, BOB, CAT, MO, TESS):
            admin.execute(f"ALTER ROLE {name} PASSWORD '{PASSWORD}'")
    capsys.readouterr()
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    return pg_url


def test_a_trainer_assigns_to_a_team_and_each_trainee_reads_only_their_own(team, capsys):
    argv = ["assign", SCENARIO, "--team", "north", "--due", NEXT_WEEK, "--db", as_(team, TESS)]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"to {ANN}, due" in out and f"to {BOB}, due" in out and CAT not in out
    assert main(["assign", SCENARIO, "--to", CAT, "--due", NEXT_WEEK, "--db", as_(team, TESS)]) == 0
    assert main(["assign", SCENARIO, "--to", MO, "--due", NEXT_WEEK, "--db", as_(team, TESS)]) == 2
    assert f"{MO} is not a trainee in this store" in capsys.readouterr().err
    assert (
        main(["assign", SCENARIO, "--team", "west", "--due", NEXT_WEEK, "--db", as_(team, TESS)])
        == 2
    )
    assert "no team 'west'" in capsys.readouterr().err

    with sql(team, ANN) as ann:
        rows = ann.execute("SELECT trainee, team FROM assignments").fetchall()
        assert rows == [(ANN, "north")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.execute(
                "INSERT INTO assignments (id, trainee, scenario_id, due, created_at) "
                "VALUES ('x', %s, 'y', '2099-01-01', 'now')",
                (ANN,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.execute("DELETE FROM assignments")
    with sql(team, MO) as mo:  # the mentor reads the team's, writes none
        names = {r[0] for r in mo.execute("SELECT trainee FROM assignments")}
        assert names == {ANN, BOB}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            mo.execute("UPDATE assignments SET due = '2099-12-31'")
    with sql(team, TESS) as tess:  # the trainer reads every one
        assert tess.execute("SELECT count(*) FROM assignments").fetchone() == (3,)

    # through callsim: Ann lists her own, cannot remove it; her call completes it
    assert main(["assign", "--list", "--db", as_(team, ANN)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert f"{ANN}  {SCENARIO}  due {NEXT_WEEK} [team north]" in line
    assert main(["assign", "--remove", line[:8], "--db", as_(team, ANN)]) == 1
    assert "does not allow you to remove the assignment" in capsys.readouterr().err
    take_call(Store(as_(team, ANN)), ANN)
    assert [x.state() for x in assignments(Store(as_(team, ANN)))] == ["done"]
    cohort = Store(as_(team, TESS))
    from callsim.sim.store_cohort import cohort as cohort_of

    figures = {t.trainee: t.assignments for t in cohort_of(cohort, team="north").trainees}
    assert figures == {
        ANN: {"done": 1, "open": 0, "overdue": 0},
        BOB: {"done": 0, "open": 1, "overdue": 0},
    }
