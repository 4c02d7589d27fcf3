"""What the way to a call screen must not pay for (issue 14): work it does not need before the
trainee can type, checked in a fresh interpreter as `callsim app --scenario ID` starts."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,  # not the repository: its folders must not import as top-level names
    ).stdout.strip()


def test_building_a_call_does_not_load_the_lemma_dictionary():
    """simplemma's dictionary costs about a quarter of a second of CPU to load: a new call's
    engine is built before its screen is drawn, so the dictionary waits for the first reply
    (or the background warm-up), which still knows the customer's name."""
    out = _run(
        "import sys\n"
        "from callsim.engine.loader import load_scenario\n"
        "from callsim.sim.scenario_paths import bundled_scenarios\n"
        "from callsim.sim.session import engine_for\n"
        "loaded = load_scenario(bundled_scenarios()[0])\n"
        "engine = engine_for(loaded)\n"
        "print('simplemma' in sys.modules)\n"
        "print(loaded.reader.people == set(loaded.scenario.customer.name.lower().split()))\n"
        "print('simplemma' in sys.modules)\n"
    )
    assert out.split() == ["False", "True", "True"]


def test_a_command_line_imports_only_its_own_command():
    """`callsim app ...` builds the parser of `app` alone; a mistyped command still hears of
    every command."""
    out = _run(
        "import sys, contextlib, io\n"
        "from callsim.sim.cli import main\n"
        "err = io.StringIO()\n"
        "with contextlib.redirect_stderr(err):\n"
        "    code = main(['app', '--mode', 'practice'])\n"
        "print(code, err.getvalue().strip())\n"
        "print(sorted(m for m in sys.modules if m.startswith('callsim.sim.commands.')))\n"
        "with contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):\n"
        "    main(['ap'])\n"
        "print('validate' in err.getvalue() and 'completion' in err.getvalue())\n"
    )
    lines = out.splitlines()
    assert lines[0] == "2 callsim app: --mode needs --scenario"
    assert lines[1] == "['callsim.sim.commands.app']"
    assert lines[2] == "True"


APP_UNTIL_THE_CALL = """
import asyncio, sys
from textual.app import App

def run(self, **_):
    async def go():
        async with self.run_test(size=(80, 24)) as pilot:
            for key in {keys!r}:
                await pilot.pause()
                await pilot.press(key)
            await pilot.pause()
            print(type(self.screen).__name__, 'sqlalchemy' in sys.modules)
    asyncio.run(go())

App.run = run
from callsim.sim.cli import main
main(['app', '--db', {db!r}, '--trainee', 'ann', *{args!r}])
"""


def test_the_way_to_a_call_does_not_import_sqlalchemy(tmp_path):
    """About 0.2 s of CPU: an SQLite store opens, lists what to resume, shows last scores and
    goals and saves the new call's first turns with the SQL kept in sim/store_sql.py. Straight
    to the call, and through home and the briefing, on a store made before."""
    from callsim.sim.store import open_store

    db = str(tmp_path / "calls.db")
    open_store(db).close()
    direct = ["--scenario", "area-outage-no-eta", "--mode", "practice"]
    assert _run(APP_UNTIL_THE_CALL.format(keys=[], db=db, args=direct)) == "CallScreen False"
    home = APP_UNTIL_THE_CALL.format(keys=["enter", "p"], db=db, args=[])
    assert _run(home) == "CallScreen False"


FIRST_FRAME = """
import sys
from textual.app import App
from callsim.tui.app import CallsimApp
from callsim.tui.call import CallScreen

seen, started = [], []
display = App._display
warm_up = CallsimApp.warm_up
CallsimApp.warm_up = lambda self, session: (started.append(1), warm_up(self, session))

def drawn(self, screen, renderable):
    display(self, screen, renderable)
    if renderable is not None and isinstance(screen, CallScreen) and not seen:
        if getattr(self.focused, 'id', None) == 'reply':
            seen.append(not started and 'callsim.grading.tagger' not in sys.modules)

def run(self, **_):
    import asyncio
    async def go():
        async with self.run_test(size=(80, 24)) as pilot:
            for _ in range(50):
                await pilot.pause(0.05)
                if self._tagger is not None:
                    break
            print(seen, self._tagger is not None)
    asyncio.run(go())

App._display = drawn
App.run = run
from callsim.sim.cli import main
main(['app', '--db', {db!r}, '--trainee', 'ann', '--scenario', 'area-outage-no-eta',
      '--mode', 'practice'])
"""


def test_the_warm_up_waits_for_the_call_to_be_drawn_ready_to_type(tmp_path):
    """The tagger and the call's reading of replies load in the background once the call
    screen is drawn with the reply box focused: started earlier, their thread held that
    frame back (0.3-0.5 s through home)."""
    assert _run(FIRST_FRAME.format(db=str(tmp_path / "calls.db"))) == "[True] True"


def test_a_call_is_built_without_its_matchers_or_reading_of_replies():
    """About 70 ms of CPU for a bundled scenario: each stage's matchers, the fact questions'
    and the scenario's reading of replies are built by the warm-up or the first reply, not
    before the call screen is drawn; built then, they match as before."""
    out = _run(
        "from callsim.engine.loader import load_scenario\n"
        "from callsim.sim.scenario_paths import bundled_scenarios\n"
        "from callsim.sim.session import engine_for\n"
        "loaded = load_scenario(bundled_scenarios()[0])\n"
        "engine = engine_for(loaded)\n"
        "call = engine.new_call()\n"
        "print('reader' in vars(loaded), engine._facts is None, len(engine._matchers._built))\n"
        "engine.warm()\n"
        "print('reader' in vars(loaded), engine._facts is None,\n"
        "      len(engine._matchers._built) == len(engine._matchers) > 0)\n"
    )
    assert out.splitlines() == ["False True 0", "True False True"]
