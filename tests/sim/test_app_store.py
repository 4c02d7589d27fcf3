"""Calls taken in the app are saved: turn by turn, graded at the end, resumable if cut off."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field

from textual.widgets import TextArea

from callsim.engine.loader import load_scenario
from callsim.sim.app_store import AppStore
from callsim.sim.catalogue import load_entry
from callsim.sim.cli import main
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession
from callsim.sim.store import Store, StoreError
from callsim.tui.app import CallsimApp
from callsim.tui.call import CallScreen
from callsim.tui.calls import CallsScreen
from callsim.tui.debrief import DebriefScreen

SCENARIO = "broadband-down-repeat-caller"
SORRY = "I'm so sorry it's still not working, I'm going to take ownership of this"


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def tagger(text: str, customer: str | None = None, history=()) -> Tagged:
    return Tagged(["empathy"] if "sorry" in text.lower() else [])


def make_app(store, **kw) -> CallsimApp:
    return CallsimApp(
        store=store,
        trainee="kim",
        tagger=tagger,
        clock=lambda: 0.0,
        cursor_blink=False,
        catalogue=[load_entry(resolve_scenario(SCENARIO))],
        self_assess=False,  # straight from the notes to the debrief
        **kw,
    )


async def say(pilot, text: str) -> None:
    box = pilot.app.screen.query_one("#reply")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await pilot.pause()


async def wrap_up_and_debrief(pilot) -> DebriefScreen:
    await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).text = "Down since Monday; engineer Thursday"
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, DebriefScreen)
    return pilot.app.screen


async def test_a_call_in_the_app_is_saved_turn_by_turn_and_graded(tmp_path):
    store = Store(tmp_path / "calls.db")
    async with make_app(AppStore(store)).run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "p")
        await pilot.pause()
        await say(pilot, SORRY)
        [call] = store.list_calls()  # saved before the call ends
        assert not call.ended and call.trainee == "kim"
        assert call.turn_count == len(pilot.app.screen.session.turns) >= 3
        await say(pilot, "Let me run a line test on your connection")
        debrief = await wrap_up_and_debrief(pilot)
        taken = debrief.transcript
    [call] = store.list_calls()
    saved = store.transcript(call.id)
    assert call.ended and call.id == taken.call_id
    assert [t.text for t in saved.turns] == [t.text for t in taken.turns]
    assert saved.trainee_turns()[0].tags == ["empathy"]
    assert saved.wrap_up == "Down since Monday; engineer Thursday"
    grade = store.grade(call.id)
    assert grade is not None and call.total_score == grade.score
    assert {d.dimension for d in store.dimension_scores(call.id)}  # per-dimension scores too

    async with make_app(AppStore(store)).run_test(size=(80, 24)) as pilot:
        shown = pilot.app.screen.query_one("#scenarios").get_row_at(0)
        assert str(shown[-1]) == f"{call.total_score:g}"  # the last score, as 68 not 68.0


async def test_a_cut_off_call_is_resumed_in_the_app(tmp_path):
    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario(SCENARIO))
    cut = CallSession(loaded, trainee="kim", tagger=tagger)
    store.recorder(cut)
    cut.say(SORRY)
    before = len(cut.turns)

    app = make_app(AppStore(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any("cut off" in str(n.message) for n in app._notifications)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, CallsScreen)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.session.call_id == cut.call_id
        assert len(screen.session.turns) == before  # picked up where it stopped
        await say(pilot, "Let me run a line test on your connection")
        await wrap_up_and_debrief(pilot)
    [call] = store.list_calls()
    assert call.id == cut.call_id and call.ended and call.turn_count > before
    saved = store.transcript(call.id)
    assert [t.index for t in saved.turns] == list(range(len(saved.turns)))
    assert store.grade(call.id) is not None


def test_a_failing_store_is_told_once_and_the_call_goes_on(tmp_path):
    store = Store(tmp_path / "calls.db")
    told: list[str] = []
    app_store = AppStore(store, on_error=told.append)
    loaded = load_scenario(resolve_scenario(SCENARIO))
    recorder = app_store.recorder_for("abc", loaded, trainee="kim")

    def full(*args, **kw):
        raise StoreError("the disk holding the store is full")

    store.record_turn = full  # type: ignore[method-assign]
    session = CallSession(loaded, tagger=tagger, call_id="abc", recorder=recorder)
    session.say(SORRY)
    session.say("Let me run a line test")
    assert told == ["the disk holding the store is full"]
    store.save_call = full  # type: ignore[method-assign]
    grade = session.finish("Down since Monday")
    assert grade.call_id == "abc" and session.saved is False  # graded; the save was told
    assert told == ["the disk holding the store is full"]


def test_a_bad_store_is_a_message_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "not-a-store.db"
    bad.write_text("this is not a database\n" * 100)
    for argv in (["app", "--db", str(bad)], ["--db", str(bad)], ["review", "--db", str(bad)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "not a callsim store" in err and "Traceback" not in err
    Store(tmp_path / "ok.db").close()
    assert main(["review", "nope", "--db", str(tmp_path / "ok.db")]) == 1
    assert "no saved call has an id starting 'nope'" in capsys.readouterr().err


def test_review_is_listed_in_help():
    out = subprocess.run(
        [sys.executable, "-m", "callsim", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "review" in out
