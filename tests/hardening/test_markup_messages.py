"""Error messages and notifications in the app show text as typed: a call id, a scenario id
or a store path holding `[/]` or `[@click=...]` is never read as Textual markup."""

from __future__ import annotations

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.app_store import AppStore
from callsim.sim.store import Store

MARKUP = "[/]x[@click=app.quit]q[/]"


def painted(app) -> list[str]:
    """The toasts as painted (the test harness shows none unless asked: notifications=True)."""
    return [toast.render().plain for toast in app.screen.query("Toast")]


async def test_a_call_id_with_markup_is_shown_as_typed(tmp_path):
    from callsim.tui.review import ReviewApp, ReviewListScreen

    app = ReviewApp(store=AppStore(Store(tmp_path / "calls.db")), open_call=MARKUP,
                    cursor_blink=False)  # fmt: skip
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewListScreen)  # back to the list, still running
        assert any(f"no saved call has an id starting '{MARKUP}'" in m for m in painted(app))


async def test_a_resume_error_naming_a_scenario_with_markup_is_shown_as_typed(tmp_path):
    from callsim.tui.app import CallsimApp
    from callsim.tui.calls import open_saved_call

    store = Store(tmp_path / "calls.db")
    store.save_call(
        Transcript(
            call_id="cutoff000001", scenario_id="x[/]y", scenario_version="[b]1",
            started_at="2026-01-05T10:00:00+00:00", trainee="kim",
            turns=[Turn(index=0, speaker="customer", text="Hello?", at=0, stage="opening")],
        )
    )  # fmt: skip
    app = CallsimApp(store=AppStore(store), trainee="kim", cursor_blink=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        open_saved_call(app, "cutoff000001")
        await pilot.pause()
        assert any("scenario 'x[/]y' version [b]1" in m for m in painted(app)), painted(app)
