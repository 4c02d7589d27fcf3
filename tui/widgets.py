"""Widgets the screens share: the mood meter, the call timer, the conversation, the reply box,
the footer."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Static

from callsim.engine.transcript import Turn
from callsim.sim.textsafe import terminal_safe
from callsim.tui.text import clock_text, join, plain, styled

METER_CELLS = 10


class MoodMeter(Static):
    """How frustrated the customer is, 0 (calm) to 10 (furious), coloured by the session's
    own reading of it (`CallSession.mood_level`), with the way the latest reply moved it."""

    LEVEL_STYLES = {"calm": "$success", "upset": "$warning", "angry": "$error"}

    def __init__(self, mood: float, level: str, change: float = 0.0, **kw) -> None:
        super().__init__(**kw)
        self.tooltip = (
            "The customer's frustration: 0 calm, 10 furious. "
            "▲ your last reply or action made it worse, ▼ it calmed them."
        )
        self.show(mood, level, change)

    def show(self, mood: float, level: str, change: float) -> None:
        self.mood, self.level, self.change = mood, level, change
        for name in self.LEVEL_STYLES:
            self.set_class(name == level, f"-{name}")
        self.refresh()

    def render(self) -> Content:
        filled = round(self.mood / 10 * METER_CELLS)
        if self.change > 0:
            trend = styled(" ▲", "bold $error")
        elif self.change < 0:
            trend = styled(" ▼", "bold $success")
        else:
            trend = Content("  ")
        return join(
            "Frustration ",
            styled("█" * filled, self.LEVEL_STYLES.get(self.level, "$warning")),
            styled("░" * (METER_CELLS - filled), "dim"),
            f" {self.mood:.1f}/10",
            trend,
        )


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

    def add_feedback(self, turn: Turn, warn_tags: frozenset[str], why: str | None = None) -> None:
        """What the reply showed (its behaviour tags), with blame or over-promise called out, and
        `why` the customer's mood moved (the session's one line of coaching), shown as written."""
        good = [label_tag(t) for t in turn.tags if t not in warn_tags]
        warned = any(t in warn_tags for t in turn.tags)
        parts: list[str] = []
        if good:
            parts.append("✓ " + " · ".join(good))
        elif not warned:
            parts.append("no behaviour tags heard")
        if turn.mood_before is not None and turn.mood_after is not None:
            parts.append(f"frustration {turn.mood_before:.1f} → {turn.mood_after:.1f}")
        self._add(Content("   ".join(parts)), "feedback")
        if why:
            self._add(Content(f"↳ {why}"), "feedback -why")
        for tag in turn.tags:
            if tag in warn_tags:
                evidence = turn.evidence.get(tag)
                said = join(': "', plain(evidence, keep_newlines=False), '"') if evidence else ""
                self._add(join(f"⚠ {label_tag(tag)}", said), "feedback -warning")

    def add_notice(self, text: str | Content) -> None:
        self._add(text if isinstance(text, Content) else Content(text), "notice")

    def _add(self, body: Content, classes: str) -> None:
        self.mount(Static(body, classes=classes))
        # once the block is laid out: scrolling as it is mounted could stop short of the end
        self.call_after_refresh(self.scroll_end, animate=False)


class ReplyInput(Input):
    """The reply box: pasted control characters (ESC, C1 controls such as CSI, bidi overrides)
    arrive as visible placeholders, as in the notes editor.

    Input paints its value as typed, so a pasted escape sequence would reach the terminal raw
    while the trainee edits the reply (recolouring it, reordering what they see).
    """

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(terminal_safe(text, keep_newlines=False), start, end)


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

