"""Peer review: the owner shares a call, a colleague comments, the owner reads it apart from the
mentor's review; nobody reads a call not shared with them."""

from __future__ import annotations

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store, StoreError
from callsim.sim.store_peer import add_peer_comment, peer_comments, share

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"
NASTY = "[red]nice[/] empathy \x1b[2J here"


@pytest.fixture
def kims_call(tmp_path):
    db = tmp_path / "calls.db"
    store = Store(db)
    read = iter(["I'm so sorry, how has that been for you?", "/end", "Down.", "", "s"]).__next__
    interactive(load_scenario(resolve_scenario(SCENARIO)), trainee="kim", mode="practice",
                read=lambda _: read(), write=lambda line: None, store=store)  # fmt: skip
    [call] = store.list_calls()
    store.close()
    return db, call.id


def test_share_comment_and_read_apart_from_the_mentor(capsys, kims_call):
    db, call_id = kims_call
    argv = ["--db", str(db)]
    assert main(["share", call_id[:8], "--with", "bea", "--trainee", "kim", *argv]) == 0
    assert f"Call {call_id[:8]} is shared with bea" in capsys.readouterr().out
    assert main(["peer", "list", "--trainee", "bea", *argv]) == 0
    assert capsys.readouterr().out.startswith(f"{call_id[:8]}  kim  {SCENARIO}")
    assert main(["peer", "show", call_id[:8], "--trainee", "bea", *argv]) == 0
    assert "#1 Trainee: I'm so sorry, how has that been for you?" in capsys.readouterr().out
    assert main(["peer", "comment", call_id[:8], NASTY, "--turn", "1", "--trainee", "bea",
                 *argv]) == 0  # fmt: skip
    assert "Comment saved on turn 1" in capsys.readouterr().out
    assert main(["peer", "comment", call_id[:8], "Good call overall", "--trainee", "bea",
                 *argv]) == 0  # fmt: skip
    store = Store(db)
    store.add_comment(call_id, "Ask about impact sooner", turn=1, author="Mo")
    assert [c.text for c in peer_comments(store, call_id)] == ["Good call overall", NASTY]
    store.close()
    assert main(["show", call_id[:8], *argv]) == 0
    out = capsys.readouterr().out
    assert "mentor Mo: Ask about impact sooner" in out
    peer = out[out.index("Colleagues' comments (peer review") :]
    assert "  bea on the whole call: Good call overall" in peer
    assert "  bea on turn 1: [red]nice[/] empathy \\x1b[2J here" in peer  # verbatim, inert
    assert "Ask about impact sooner" not in peer
    assert "Shared for peer review with: bea" in out


def test_a_call_not_shared_cannot_be_read_or_commented(capsys, kims_call):
    db, call_id = kims_call
    argv = ["--db", str(db)]
    assert main(["peer", "show", call_id[:8], "--trainee", "lee", *argv]) == 1
    assert f"no call '{call_id[:8]}' is shared with lee" in capsys.readouterr().err
    assert main(["peer", "comment", call_id[:8], "hi", "--trainee", "lee", *argv]) == 1
    assert main(["peer", "show", "ffffffff", "--trainee", "lee", *argv]) == 1
    assert "no call 'ffffffff' is shared with lee" in capsys.readouterr().err  # same words
    assert main(["share", call_id[:8], "--with", "lee", "--trainee", "bea", *argv]) == 1
    assert "only the trainee who took a call can share it" in capsys.readouterr().err
    store = Store(db)
    share(store, call_id, "kim", "bea")
    with pytest.raises(StoreError, match="has no turn 99"):
        add_peer_comment(store, call_id, "bea", "x", turn=99)
    with pytest.raises(StoreError, match="needs some text"):
        add_peer_comment(store, call_id, "bea", "  ")
    store.close()
    assert main(["share", call_id[:8], "--with", "bea", "--stop", "--trainee", "kim", *argv]) == 0
    assert "no longer shared with bea" in capsys.readouterr().out
    assert main(["peer", "show", call_id[:8], "--trainee", "bea", *argv]) == 1
    assert main(["peer", "comment", "--trainee", "bea", *argv]) == 2
