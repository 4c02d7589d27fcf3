"""The command palette's callsim commands: whatever the current screen offers (actions, hint,
end call...), the light/dark theme, and any extra screens installed in the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

if TYPE_CHECKING:
    from callsim.tui.app import CallsimApp

#: (title, help, callback). Titles may hold scenario text (shown verbatim); help is ours and
#: is read as markup by the palette, so keep scenario text out of it.
PaletteCommand = tuple[str, str, Callable[[], object]]


class CallsimCommands(Provider):
    def _commands(self) -> Iterable[PaletteCommand]:
        screen = self.screen
        offered = getattr(screen, "palette_commands", None)
        if callable(offered):
            yield from offered()
        app: CallsimApp = self.app  # type: ignore[assignment]
        yield ("Theme: light", "Switch to the light theme", partial(_theme, app, "textual-light"))
        yield ("Theme: dark", "Switch to the dark theme", partial(_theme, app, "textual-dark"))
        for extra in getattr(app, "extra_screens", {}).values():
            yield (
                f"Open {extra.label}",
                f"Show the {extra.label} screen",
                partial(app.action_open_screen, extra.name),
            )

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), callback, text=title, help=help_text)


def _highlight(matcher: Matcher, title: str) -> Content:
    """The matcher's highlight without its markup parsing (titles hold scenario text)."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _theme(app: CallsimApp, name: str) -> None:
    app.theme = name
