"""A served app (`callsim serve`) keeps the trainee the sign-in named: no way to switch."""

from __future__ import annotations

from textual.screen import ModalScreen

from callsim.sim.app_store import AppStore
from callsim.sim.store import Store


async def test_a_served_app_offers_no_switch_trainee(make_app, tmp_path):
    app = make_app(store=AppStore(Store(tmp_path / "calls.db")), trainee="kim")
    app.trainee_fixed = True
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Switch trainee" not in [title for title, _, _ in app.screen.palette_commands()]
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, ModalScreen)
        assert app.trainee == "kim" and "trainee: kim" in app.screen.sub_title
