"""`callsim cohort` (issue 15, item 3): a trainer's view of the trainees' figures, on the SQLite
file and on a team's PostgreSQL store, and the roles on the server (a trainer sees the cohort,
a mentor their team, a trainee is refused)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store
from callsim.sim.store_cohort import TraineeFigures, weakest

pytestmark = pytest.mark.usefixtures("close_stores")

SCENARIO = "broadband-down-repeat-caller"


def days_ago(n: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=n)).isoformat(timespec="seconds")


def take_call(store: Store, trainee: str, *, days: int = 0, replies: tuple[str, ...] = ()) -> str:
    """A finished, graded call `days` ago, saved as the app saves one."""
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(
        loaded, trainee=trainee, clock=SimulatedClock(), started_at=days_ago(days)
    )
    store.recorder(session)
    for reply in replies or ("I'm so sorry, how has that been?",):
        session.say(reply)
    session.finish()
    return session.call_id


def cohort_json(db, capsys, *extra: str) -> dict:
    assert main(["cohort", "--json", "--db", str(db), *extra]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_the_cohort_shows_each_trainees_figures_and_who_has_not_practised(any_db, capsys):
    store = Store(any_db)
    take_call(store, "ann", days=1)
    take_call(store, "ann", days=0, replies=("That's not my problem, you set it up wrong.",))
    take_call(store, "bob", days=20)
    data = cohort_json(any_db, capsys)
    assert data["team"] is None and data["since"] is None
    assert data["targets"]["idle_days"] == 7
    people = {t["trainee"]: t for t in data["trainees"]}
    assert set(people) == {"ann", "bob"}
    ann, bob = people["ann"], people["bob"]
    points = store.progress("ann")
    assert ann["calls"] == 2 and bob["calls"] == 1
    assert ann["first_contact"] == pytest.approx(100 * sum(p.first_contact for p in points) / 2)
    assert ann["handling_seconds"] == pytest.approx(sum(p.duration_seconds for p in points) / 2)
    assert ann["turns"] == pytest.approx(sum(p.turns for p in points) / 2) and ann["turns"] > 2
    assert ann["satisfaction"] == pytest.approx(sum(p.satisfaction for p in points) / 2)
    assert ann["last_call"] == date.today().isoformat() and ann["days_since"] == 0
    assert not ann["idle"] and bob["idle"] and bob["days_since"] == 20
    assert data["not_practising"] == ["bob"]
    assert set(ann["met"]) == {"first_contact", "handling", "satisfaction"}
    # per dimension: every dimension a grade scored, weakest first, over both trainees
    dims = data["dimensions"]
    assert dims and [d["mean"] for d in dims] == sorted(d["mean"] for d in dims)
    empathy = next(d for d in dims if d["dimension"] == "empathy")
    assert empathy["trainees"] == 2 and empathy["title"] == "Empathy"

    assert main(["cohort", "--db", str(any_db)]) == 0
    out = capsys.readouterr().out
    assert "Cohort: every trainee in the store, 2 trainees, all their calls" in out
    assert "Weakest areas" in out and "Empathy" in out
    assert "Not practised in 7 days or more (today is " in out and "\n  bob (last call " in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_since_counts_only_the_calls_from_that_day_but_the_last_call_is_the_last(any_db, capsys):
    store = Store(any_db)
    take_call(store, "ann", days=3)
    take_call(store, "ann", days=30)
    take_call(store, "bob", days=30)
    since = (date.today() - timedelta(days=10)).isoformat()
    data = cohort_json(any_db, capsys, "--since", since)
    people = {t["trainee"]: t for t in data["trainees"]}
    assert data["since"] == since
    assert people["ann"]["calls"] == 1
    assert people["bob"]["calls"] == 0 and people["bob"]["first_contact"] is None
    assert people["bob"]["days_since"] == 30 and people["bob"]["met"]["first_contact"] is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--since", "last week"], "'last week' is not a date: write it as YYYY-MM-DD"),
        (["--since", "2026-02-30"], "is not a date"),
        (["--team", "north"], "teams are kept on a team's PostgreSQL store"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, argv, says):
    db = tmp_path / "c.db"
    Store(db).close()
    assert main(["cohort", "--db", str(db), *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_no_store_yet_is_said_and_an_empty_store_reads_plainly(tmp_path, capsys):
    assert main(["cohort", "--db", str(tmp_path / "none.db")]) == 1
    assert "no store at" in capsys.readouterr().err
    Store(tmp_path / "empty.db").close()
    assert main(["cohort", "--db", str(tmp_path / "empty.db")]) == 0
    assert "nobody has a call in this store yet" in capsys.readouterr().out


def test_weakest_areas_are_the_mean_and_spread_of_each_trainees_mean():
    people = [
        TraineeFigures("ann", dimensions={"empathy": 40.0, "tone": 90.0}),
        TraineeFigures("bob", dimensions={"empathy": 60.0}),
        TraineeFigures("cat", dimensions={"empathy": 20.0, "tone": 70.0}),
    ]
    empathy, tone = weakest(people, {"empathy": "Empathy"})
    assert (empathy.dimension, empathy.title, empathy.mean, empathy.trainees) == (
        "empathy",
        "Empathy",
        40.0,
        3,
    )
    assert empathy.spread == pytest.approx(16.33, abs=0.01) and empathy.weak == 2  # 40 and 20
    assert (tone.title, tone.mean, tone.spread, tone.weak) == ("tone", 80.0, 10.0, 0)


def test_names_are_shown_verbatim_and_a_long_one_is_cut(tmp_path, capsys):
    db = tmp_path / "c.db"
    store = Store(db)
    take_call(store, "[red]ann\x1b[2J")
    take_call(store, "a-trainee-with-a-very-long-name")
    assert main(["cohort", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[red]ann" in out and "\x1b" not in out
    assert "a-trainee-with-…" in out


# -- roles on a team's server ------------------------------------------------------------------

ANN, BOB, CAT, MO, TESS = "c15_ann", "c15_bob", "c15_cat", "c15_mo", "c15_tess"
PASSWORD = "pw-for-tests"


def as_(url: str, who: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{who}@", 1)


@pytest.fixture
def team(pg_url, capsys, monkeypatch):
    """Teams north (Ann, Bob, mentor Mo) and south (Cat), trainer Tess; a call by Ann and Cat,
    none by Bob."""
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
    owner = Store(pg_url)
    take_call(owner, ANN, days=2)
    take_call(owner, CAT, days=1)
    owner.close()
    capsys.readouterr()
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    return pg_url


def test_a_trainer_sees_a_teams_cohort_including_who_never_practised(team, capsys):
    data = cohort_json(as_(team, TESS), capsys, "--team", "north")
    assert data["team"] == "north"
    people = {t["trainee"]: t for t in data["trainees"]}
    assert set(people) == {ANN, BOB}  # the team's trainees, not the mentor, not Cat
    assert people[ANN]["calls"] == 1 and people[BOB]["calls"] == 0
    assert data["not_practising"] == [BOB] and people[BOB]["last_call"] is None
    everyone = cohort_json(as_(team, TESS), capsys)
    assert [t["trainee"] for t in everyone["trainees"]] == [ANN, BOB, CAT]
    assert main(["cohort", "--team", "west", "--db", as_(team, TESS)]) == 2
    assert "no team 'west' (the teams are: north, south)" in capsys.readouterr().err


def test_a_mentor_sees_their_own_team_and_a_trainee_is_refused(team, capsys):
    data = cohort_json(as_(team, MO), capsys)
    assert data["team"] == "north" and [t["trainee"] for t in data["trainees"]] == [ANN, BOB]
    assert main(["cohort", "--team", "south", "--db", as_(team, MO)]) == 1
    assert f"{MO} mentors team north" in capsys.readouterr().err
    assert main(["cohort", "--db", as_(team, ANN)]) == 1
    err = capsys.readouterr().err
    assert f"the cohort is for trainers and mentors, and {ANN} is a trainee" in err
    assert "Traceback" not in err
