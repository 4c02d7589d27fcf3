"""Widgets the screens share: the mood meter, the call timer, the conversation, the footer."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Static

from callsim.engine.transcript import Turn
from callsim.tui.text import clock_text, join, plain, styled

METER_CELLS = 10


class MoodMeter(Static):
    """How annoyed the customer is, 0-10, against the points where they demand a manager or
    hang up (the scenario's own thresholds; the meter only shows them)."""

    mood: reactive[float] = reactive(0.0)

    def __init__(self, mood: float, manager_at: float, hang_up_at: float, **kw) -> None:
        super().__init__(**kw)
        self.manager_at = manager_at
        self.hang_up_at = hang_up_at
        self.set_reactive(MoodMeter.mood, mood)

    def render(self) -> Content:
        filled = round(self.mood / 10 * METER_CELLS)
        return join(
            "Mood ",
            styled("█" * filled, "$error" if self.mood >= self.manager_at else "$warning"),
            styled("░" * (METER_CELLS - filled), "dim"),
            f" {self.mood:.1f}/10",
        )

    def watch_mood(self, mood: float) -> None:
        self.set_class(mood >= self.manager_at, "-angry")
        self.set_class(mood <= self.manager_at / 2, "-calm")


class CallTimer(Static):
    """Handling time so far against the scenario's target; turns red once past it."""

    def __init__(self, elapsed: Callable[[], float], target: int, **kw) -> None:
        super().__init__(**kw)
        self.elapsed = elapsed
        self.target = target

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        seconds = self.elapsed()
        self.set_class(seconds > self.target, "-over")
        self.update(f"⏱ {clock_text(seconds)} / {clock_text(self.target)}")


def label_tag(tag: str) -> str:
    return tag.replace("_", " ")


class Conversation(VerticalScroll, can_focus=True):
    """The call as it unfolds, one block per turn; all text shown verbatim."""

    def __init__(self, customer_name: str, **kw) -> None:
        super().__init__(**kw)
        self.customer_name = customer_name

    def add_turn(self, turn: Turn) -> None:
        if turn.speaker == "customer":
            body = join(styled(self.customer_name, "bold"), ": ", plain(turn.text))
        elif turn.speaker == "trainee":
            body = join(styled("You", "bold"), ": ", plain(turn.text))
        elif turn.speaker == "action":
            body = join(styled(f"▶ {turn.text}", "bold"), "\n", plain(turn.result))
        else:
            body = plain(turn.text)
        self._add(body, f"turn -{turn.speaker}")

    def add_feedback(self, turn: Turn, warn_tags: frozenset[str]) -> None:
        """What the reply showed (its behaviour tags), with blame or over-promise called out."""
        good = [label_tag(t) for t in turn.tags if t not in warn_tags]
        warned = any(t in warn_tags for t in turn.tags)
        parts: list[str] = []
        if good:
            parts.append("✓ " + " · ".join(good))
        elif not warned:
            parts.append("no behaviour tags heard")
        if turn.mood_before is not None and turn.mood_after is not None:
            parts.append(f"mood {turn.mood_before:.1f} → {turn.mood_after:.1f}")
        self._add(Content("   ".join(parts)), "feedback")
        for tag in turn.tags:
            if tag in warn_tags:
                evidence = turn.evidence.get(tag)
                said = join(': "', plain(evidence, keep_newlines=False), '"') if evidence else ""
                self._add(join(f"⚠ {label_tag(tag)}", said), "feedback -warning")

    def add_notice(self, text: str | Content) -> None:
        self._add(text if isinstance(text, Content) else Content(text), "notice")

    def _add(self, body: Content, classes: str) -> None:
        self.mount(Static(body, classes=classes))
        self.scroll_end(animate=False)


class KeysFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change.

    Textual's own footer rebuilds all its keys on every focus or binding change (several times
    while a screen opens); nearly always the same keys come back, and the rebuilds were a
    large part of the app's start-up.
    """

    _shown: tuple | None = None

    def _keys(self) -> tuple:
        return tuple(
            (node is self.app, binding, enabled, tooltip)
            for node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )

    def compose(self) -> ComposeResult:
        self._shown = self._keys() if self._bindings_ready else None
        yield from super().compose()

    async def recompose(self) -> None:
        if self._shown is not None and self.is_attached and self._keys() == self._shown:
            return
        await super().recompose()


def highlighted_key(table: DataTable) -> str | None:
    """The key of the row under the table's cursor, or None for an empty table."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

