"""Hostile imports (hostile/imports/, written by make_hostile.py): each bad call is skipped with
its reason before anything of it is stored, the good calls beside it are imported, and every
call that was imported opens in `sessions`, `show`, `export` and `review`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hardening_helpers import unsafe_in

from callsim.sim.cli import main
from callsim.sim.store import Store

IMPORTS = Path(__file__).parent / "hostile" / "imports"

#: file -> (calls imported, words the skip messages must say; "" when nothing is skipped).
EXPECTED: dict[str, tuple[int, tuple[str, ...]]] = {
    "scenario-path-etc-shadow": (1, ()),  # imported: the path is never opened (test below)
    "scenario-id-a-path": (0, ("scenario_id: '/etc/shadow' is not a scenario id",)),
    "infinity-time": (0, ("turns.1.at: Infinity is not a finite number",)),
    "nan-mood": (0, ("turns.1.mood_after: NaN is not a finite number",)),
    "negative-infinity": (0, ("duration_seconds: -Infinity is not a finite number",)),
    "huge-int": (0, ("target_seconds: a 31-digit number is out of range",)),
    "huge-float": (0, ("final_mood: 1e+300 is out of range",)),
    "mood-out-of-range": (0, ("opening_mood: 11 is outside 0 to 10",)),
    "score-out-of-range": (0, ("turns.1.score: 123456 is outside 0 to 100",)),
    "grade-infinity": (0, ("grade.score: Infinity is not a finite number",)),
    "grade-huge": (0, ("grade.score: a 31-digit number is out of range",)),
    "grade-out-of-range": (0, ("grade.score: 250 is outside 0 to 100",)),
    "call-id-slash": (0, ("call_id: '../../etc/cron.d/x' is not a call id",)),
    "call-id-short": (0, ("call_id: 'abc' is not a call id",)),
    "call-id-markup": (0, ("call_id: '[/]hostile0000' is not a call id",)),
    "call-id-space": (0, ("call_id: 'hostile 0000 0001' is not a call id",)),
    "date-garbage": (0, ("started_at: 'yesterday afternoon' is not a date and time",)),
    "date-ended-garbage": (0, ("ended_at: '2026-13-45T99:00:00' is not a date and time",)),
    "mixed-good-and-bad": (
        2,
        (
            "mixed-good-and-bad.json: call 2: turns.1.at: Infinity is not a finite number",
            "mixed-good-and-bad.json: call 3: call_id: 'a/b/c/d/e/f' is not a call id",
        ),
    ),
    "digits-5000": (0, ("a number too long to read; not a transcript",)),
    "nesting-100000": (0, ("JSON nested too deeply; not a transcript",)),
}


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_import_corpus_is_complete():
    assert {p.stem for p in IMPORTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_import_is_skipped_with_its_reason_or_imported_whole(capsys, tmp_path, name):
    db = tmp_path / "mentor.db"
    imported, words = EXPECTED[name]
    code, out, err = cli(capsys, "import", IMPORTS / f"{name}.json", "--db", db)
    assert "Traceback" not in err and not unsafe_in(out + err), err
    assert code == (1 if words else 0), err
    assert out.count("imported: ") == imported, out
    for w in words:
        assert w in err, err
    store = Store(db)
    assert store.count() == imported
    for call in store.list_calls():  # what was imported opens everywhere
        for argv in (
            ("show", call.id),
            ("export", call.id, "--format", "md"),
            ("export", call.id, "--format", "html"),
            ("export", call.id, "--format", "csv"),
            ("export", call.id, "--format", "json"),
            ("sessions", "--json"),
        ):
            code, out, err = cli(capsys, *argv, "--db", db)
            assert code == 0 and "Traceback" not in err, (argv, err)


def test_all_files_at_once_import_every_good_call(capsys, tmp_path):
    """One bad file, or one bad call, never stops the rest (the mentor guide's promise)."""
    db = tmp_path / "mentor.db"
    code, out, err = cli(capsys, "import", *sorted(IMPORTS.glob("*.json")), "--db", db)
    assert code == 1 and "Traceback" not in err
    assert Store(db).count() == sum(n for n, _ in EXPECTED.values()) == 3


def test_a_call_id_that_shares_another_calls_short_id_is_skipped(capsys, tmp_path):
    db = tmp_path / "mentor.db"
    first = json.loads((IMPORTS / "scenario-path-etc-shadow.json").read_text(encoding="utf-8"))
    twin = {**first, "call_id": first["call_id"][:8] + "-another-one"}
    inside = {**first, "call_id": first["call_id"][:8]}  # the short id itself
    files = []
    for n, call in enumerate((first, twin, inside)):
        files.append(tmp_path / f"{n}.json")
        files[-1].write_text(json.dumps(call), encoding="utf-8")
    assert cli(capsys, "import", files[0], "--db", db)[0] == 0
    for f in files[1:]:
        code, out, err = cli(capsys, "import", f, "--db", db)
        assert code == 1 and "shares its first 8 characters with call" in err, err
    assert [c.id for c in Store(db).list_calls()] == [first["call_id"]]
    code, out, _ = cli(capsys, "show", first["call_id"][:8], "--db", db)
    assert code == 0 and "Hostile import" in out  # the short id still names one call


async def test_the_review_app_opens_every_imported_call(capsys, tmp_path):
    from callsim.sim.app_store import AppStore
    from callsim.tui.review import CallReviewScreen, ReviewApp

    db = tmp_path / "mentor.db"
    cli(capsys, "import", *sorted(IMPORTS.glob("*.json")), "--db", db)
    store = Store(db)
    for call in store.list_calls():
        app = ReviewApp(store=AppStore(store), open_call=call.id, cursor_blink=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, CallReviewScreen), call.id
            assert not [n for n in app._notifications if n.severity == "error"]
