"""Peer review (issue 17): a trainee shares one of their calls with a colleague, who comments on
its turns and on the whole call; no scores change.

Sharing is the owner's choice, call by call and colleague by colleague, and can be taken back;
a colleague can read and comment on a call only while it is shared with them. Peer comments are
kept apart from the mentor's (`peer_comments`, not `comments`), so the owner sees the two side
by side and a peer's word never counts as a review. Tables `shares` and `peer_comments` (store
schema version 6, sim/store_schema.py), through SQLAlchemy Core as the store does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from callsim.sim.store import (  # T, sa: imported at first use
    ID_PREFIX_SHOWN,
    Store,
    StoreError,
    T,
    now_utc,
    sa,
)

MAX_COMMENT = 2000


def _store(store: Any) -> Store:
    return store if isinstance(store, Store) else store.store


@dataclass(frozen=True)
class PeerComment:
    id: str
    call_id: str
    turn: int | None  # None: about the whole call
    text: str
    author: str
    created_at: str


def _owner(s: Store, call_id: str) -> str | None:
    return s.summary(call_id).trainee


def share(store: Any, call_id: str, owner: str, peer: str) -> str:
    """The owner shares their call with a colleague; returns the call's full id."""
    s = _store(store)
    full = s.resolve_id(call_id)
    if _owner(s, full) != owner:
        raise StoreError(
            f"call {full[:ID_PREFIX_SHOWN]} is not {owner}'s: only the trainee who took a call "
            "can share it"
        )
    if peer == owner:
        raise StoreError("share a call with a colleague, not with yourself")
    row = {"call_id": full, "peer": peer, "created_at": now_utc()}
    with s._write("share the call") as conn:  # shared again: the first share's date stays
        conn.execute(
            s._insert(T.shares)
            .values(row)
            .on_conflict_do_nothing(index_elements=["call_id", "peer"])
        )
    return full


def unshare(store: Any, call_id: str, owner: str, peer: str) -> bool:
    """The owner takes a share back (the peer's comments stay, for the owner to read)."""
    s = _store(store)
    full = s.resolve_id(call_id)
    if _owner(s, full) != owner:
        raise StoreError(f"call {full[:ID_PREFIX_SHOWN]} is not {owner}'s")
    sh = T.shares.c
    with s._write("stop sharing the call") as conn:
        done = conn.execute(sa.delete(T.shares).where(sh.call_id == full, sh.peer == peer))
        return bool(done.rowcount)


def shared_with(store: Any, call_id: str) -> list[str]:
    sh = T.shares.c
    rows = _store(store)._read(sa.select(sh.peer).where(sh.call_id == call_id).order_by(sh.peer))
    return [r[0] for r in rows]


def calls_shared_with(store: Any, peer: str) -> list[Any]:
    """Summaries of the calls shared with `peer`, newest first."""
    s = _store(store)
    sh = T.shares.c
    rows = s._read(
        sa.select(sh.call_id).where(sh.peer == peer).order_by(sh.created_at.desc(), sh.call_id)
    )
    return [s.summary(r[0]) for r in rows]


def check_shared(store: Any, call_id: str, peer: str) -> str:
    """The call's full id if it is shared with `peer`; StoreError otherwise (and the same
    message whether the call exists or not, so ids cannot be probed)."""
    s = _store(store)
    refused = StoreError(f"no call '{call_id}' is shared with {peer}")
    try:
        full = s.resolve_id(call_id)
    except StoreError:
        raise refused from None
    if peer not in shared_with(s, full):
        raise refused
    return full


def add_peer_comment(
    store: Any, call_id: str, peer: str, text: str, *, turn: int | None = None
) -> PeerComment:
    """A colleague's comment on a call shared with them (on one turn, or the whole call)."""
    s = _store(store)
    full = check_shared(s, call_id, peer)
    if not text.strip():
        raise StoreError("a comment needs some text")
    if len(text) > MAX_COMMENT:
        raise StoreError(f"a comment can be at most {MAX_COMMENT:,} characters")
    if turn is not None and not 0 <= turn < len(s.transcript(full).turns):
        raise StoreError(f"call {full[:ID_PREFIX_SHOWN]} has no turn {turn}")
    comment = PeerComment(uuid.uuid4().hex, full, turn, text, peer, now_utc())
    with s._write("save the comment") as conn:
        conn.execute(sa.insert(T.peer_comments).values(**comment.__dict__))
    return comment


def peer_comments(store: Any, call_id: str) -> list[PeerComment]:
    """Every peer comment on a call, in order: the whole call's first, then by turn."""
    pc = T.peer_comments.c
    rows = _store(store)._read(
        sa.select(pc.id, pc.call_id, pc.turn, pc.text, pc.author, pc.created_at)
        .where(pc.call_id == call_id)
        .order_by(sa.func.coalesce(pc.turn, -1), pc.created_at, pc.id)
    )
    return [PeerComment(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
