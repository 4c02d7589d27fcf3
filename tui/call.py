"""The call: the conversation, the customer's mood, the timer, the account, the knowledge base
and the tools the scenario offers. What counts as good is grading's business; this screen
shows the session's turns, and in practice mode the tags each reply earned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from callsim.engine.call import CallError
from callsim.engine.models import ActionInput
from callsim.engine.transcript import Turn
from callsim.sim.session import CallSession, outcome_words
from callsim.sim.slash import (
    HINTS_OFF,
    Action,
    Actions,
    End,
    Hint,
    HintShown,
    describe,
    parse,
    perform,
)
from callsim.tui.commands import PaletteCommand
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import CallTimer, Conversation, KeysFooter, MoodMeter, ReplyInput


def _warning_tags() -> frozenset[str]:
    from callsim.grading.tags import NEGATIVE_TAGS

    return NEGATIVE_TAGS


class ArgumentPrompt(ModalScreen[Turn | None]):
    """Asks for what a tool takes: its choices as a pick list, or a box for a number or text,
    with the scenario's hint. `use` carries the tool out; its refusal (the engine's message:
    not offered, out of range) shows here and the prompt stays open. Escape cancels.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, label: str, asks: ActionInput, use: Callable[[str], Turn]) -> None:
        super().__init__()
        self.label = label
        self.asks = asks
        self.use = use

    def on_mount(self) -> None:
        self.app.settle(self)

    def compose(self) -> ComposeResult:
        asks = self.asks
        if asks.choices:
            what = f"{asks.what}: pick one"
        else:
            what = asks.what + (f": {asks.guide}" if asks.checked else "")
        with Vertical(id="argument-dialog"):
            yield Label(join(styled(self.label, "bold"), "\n", plain(what)))
            if asks.hint:
                yield Static(plain(asks.hint), id="argument-hint")
            if asks.choices:
                yield OptionList(
                    *(Option(plain(c, keep_newlines=False)) for c in asks.choices),
                    id="argument-choices",
                )
            else:
                yield Input(id="argument", placeholder=asks.guide if asks.checked else asks.what)
            yield Static(id="argument-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Use", id="use", variant="primary")
                yield Button("Cancel", id="cancel")

    def _submit(self, value: str) -> None:
        try:
            turn = self.use(value.strip())
        except CallError as exc:  # shown as the engine says it, and the trainee tries again
            self.query_one("#argument-error", Static).update(plain(str(exc)))
            self.query_one("#argument-error").display = True
            return
        self.dismiss(turn)

    def _chosen(self) -> str | None:
        """The highlighted choice, or what is typed in the box."""
        if self.asks.choices:
            at = self.query_one("#argument-choices", OptionList).highlighted
            return None if at is None else self.asks.choices[at]
        return self.query_one("#argument", Input).value

    @on(OptionList.OptionSelected, "#argument-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        assert self.asks.choices is not None
        self._submit(self.asks.choices[event.option_index])

    @on(Input.Submitted, "#argument")
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "use":
            value = self._chosen()
            if value is not None:
                self._submit(value)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmEnd(ModalScreen[bool]):
    """F10 asks before ending: one key should not hang up on a customer mid-sentence.

    Enter or y ends the call; Escape or n goes back to it.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "End call"),
        Binding("n,escape", "answer(False)", "Keep talking"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(
                join(
                    styled("End the call now?", "bold"),
                    "\nThe customer is still on the line. A call you end before it reaches "
                    "an ending is recorded as unresolved.",
                ),
                id="confirm-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("End call (y)", id="end", variant="error")
                yield Button("Keep talking (n)", id="keep")

    def on_mount(self) -> None:
        self.query_one("#end", Button).focus()  # Enter ends: the trainee pressed F10 for it

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "end")

    def action_answer(self, end: bool) -> None:
        self.dismiss(end)


class ActionList(VerticalScroll):
    """The call's tools: Up and Down move from one to the next, Enter uses it."""

    BINDINGS = [
        Binding("up", "move(-1)", "Previous tool", show=False),
        Binding("down", "move(1)", "Next tool", show=False),
    ]

    def action_move(self, step: int) -> None:
        buttons = list(self.query(".action").results(Button))
        if not buttons:
            return
        focused = self.screen.focused
        at = buttons.index(focused) if focused in buttons else (-1 if step > 0 else len(buttons))
        target = buttons[max(0, min(len(buttons) - 1, at + step))]
        # at once, not after a refresh: an Enter typed straight after must reach this tool
        self.screen.set_focus(target)
        target.scroll_visible(animate=False)


def article_matches(words: list[str], title: str, keywords: list[str], body: str) -> int:
    """How well an article fits the search: 2 when every word begins a word of its title or
    keywords, 1 when every word is somewhere in its text, 0 not at all."""
    if not words:
        return 1
    named = " ".join([title, *keywords]).lower().replace("-", " ").split()
    if all(any(n.startswith(w) for n in named) for w in words):
        return 2
    text = body.lower()
    return 1 if all(w in text for w in words) else 0


class CallScreen(Screen):
    BINDINGS = [
        Binding("f1", "hint", "Hint"),
        Binding("f2", "panel('account')", "Account"),
        Binding("f3", "panel('actions')", "Actions"),
        Binding("f4", "panel('knowledge')", "Knowledge"),
        Binding("escape", "to_reply", "Back"),
        Binding("f10", "end_call", "End call"),
        Binding("f10", "wrap_up", "Wrap up"),
    ]

    def __init__(self, session: CallSession) -> None:
        super().__init__(classes=f"-{session.mode}")
        self.session = session
        self.warn_tags = _warning_tags()
        self._side_started = False
        self._side_ready = asyncio.Event()
        self._frozen_elapsed: float | None = None

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        sc = self.session.scenario
        cust = sc.customer
        with Horizontal(id="call-status"):
            yield Static(styled(sc.title, "bold", keep_newlines=False), id="call-title")
            yield Static(self.session.mode, id="call-mode")
            yield MoodMeter(self.session.mood, self.session.mood_level, id="mood")
            yield CallTimer(self.elapsed, sc.target_seconds, id="timer")
        with Horizontal(id="call-body"):
            with Vertical(id="talk"):
                yield Conversation(cust.name, id="conversation")
                yield ReplyInput(
                    placeholder="Type your reply, Enter to send (/help for commands)",
                    id="reply",
                )
                yield Button("Wrap up the call ▸", id="to-wrap-up", variant="primary")
            yield Vertical(id="side")  # filled when first shown: see _build_side
        yield KeysFooter()

    def _side_panel(self) -> ComposeResult:
        sc = self.session.scenario
        with TabbedContent(id="side-tabs", initial="account"):
            with TabPane("Account", id="account"):
                with VerticalScroll(id="account-scroll"):
                    yield Static(self._account(), id="account-record")
                    yield Static(id="heard")
            with TabPane("Actions", id="actions"):
                with ActionList(id="action-list"):
                    for name, action in sc.actions.items():
                        yield Button(
                            plain(action.label, keep_newlines=False),
                            name=name,
                            classes="action",
                            compact=True,
                        )
                        yield Static(
                            plain(action.description or ""),
                            name=name,
                            classes="action-help",
                        )
                    if not sc.actions:
                        yield Static("This call has no tools.")
            with TabPane("Knowledge", id="knowledge"):
                yield Input(placeholder="Search articles…", id="kb-search")
                yield OptionList(id="kb-list")
                with VerticalScroll(id="kb-article"):
                    yield Static(id="kb-body")

    async def _build_side(self) -> None:
        """Build the account, actions and knowledge panel the first time it is on screen.

        At 80 columns it starts hidden (F2-F4 open it), and building its tabs, buttons and
        lists was a large part of opening the call screen.
        """
        if not self._side_started:
            self._side_started = True
            await self.query_one("#side").mount_compose(self._side_panel())
            self._side_ready.set()
            self._fill_kb("")
            self._refresh_side()
        await self._side_ready.wait()

    def _build_side_if_shown(self) -> None:
        if not self._side_started and self.query_one("#side").styles.display != "none":
            self.call_later(self._build_side)

    def on_resize(self) -> None:
        self.call_after_refresh(self._build_side_if_shown)

    def _account(self) -> Content:
        account = self.session.scenario.account
        if not account:
            return Content("No account record.")
        parts: list[Content | str] = []
        for key, value in account.items():
            parts += [styled(key, "bold"), "\n", plain(value), "\n"]
        return join(*parts[:-1])

    def on_mount(self) -> None:
        self.app.settle(self)
        for turn in self.session.turns:
            self._show_turn(turn)
        self._refresh_state()
        self.query_one("#reply", Input).focus()
        self.call_after_refresh(self._build_side_if_shown)  # wide screens show it at once
        # the tagger and the customer's reading of replies load once this is drawn with the
        # reply box focused (call_after_refresh ran before that frame, and the warm-up's thread
        # delayed it: 0.3-0.5 s through home)
        self.screen_layout_refresh_signal.subscribe(self, self._drawn)

    def _drawn(self, _: object = None) -> None:
        if self.app.focused is not self.query_one("#reply", Input) and not self.session.ended:
            return  # the frame that lets the trainee type is still to come
        self.screen_layout_refresh_signal.unsubscribe(self)
        self.call_later(self.app.warm_up, self.session)  # after a frame still queued, if any

    # -- state --------------------------------------------------------------------------------

    def elapsed(self) -> float:
        if self._frozen_elapsed is not None:
            return self._frozen_elapsed
        return self.session.elapsed

    def _refresh_state(self) -> None:
        session = self.session
        self.query_one(MoodMeter).show(session.mood, session.mood_level, session.last_mood_change)
        self._refresh_side()
        ended = session.ended
        self.set_class(ended, "-ended")
        if ended and self._frozen_elapsed is None:
            self._frozen_elapsed = session.transcript().duration_seconds
            self.query_one(CallTimer).tick()
        self.refresh_bindings()

    def _refresh_side(self) -> None:
        """What the side panel shows of the call so far (once it is built)."""
        if not self._side_ready.is_set():
            return
        session = self.session
        facts = session.scenario.facts
        heard = [facts[f].summary for f in session.revealed if f in facts]
        self.query_one("#heard", Static).update(
            join(
                styled("What you've heard\n", "bold"),
                plain("\n".join(f"• {h}" for h in heard) if heard else "(nothing yet: ask)"),
            )
        )
        used = {a.name: a for a in session.call.actions}
        for button in self.query(".action").results(Button):
            button.set_class(button.name in used, "-used")
        for help_text in self.query(".action-help").results(Static):
            use = used.get(help_text.name or "")
            if use is not None:
                help_text.update(join("✓ ", plain(use.result)))
            action = session.scenario.actions.get(help_text.name or "")
            help_text.display = bool(action and action.description) or use is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ended = self.session.ended
        # False hides a key from the footer (None would only grey it out).
        if action == "hint":
            return not ended and self.session.mode == "practice"
        if action == "end_call":
            return not ended
        if action == "wrap_up":
            return ended
        if action == "to_reply":
            return self.has_class("-show-side")
        return True

    # -- showing turns ------------------------------------------------------------------------

    def _show_turn(self, turn: Turn) -> None:
        conversation = self.query_one(Conversation)
        conversation.add_turn(turn)
        if turn.speaker == "trainee" and self.session.mode == "practice":
            note = self.session.mood_note(turn)
            conversation.add_feedback(turn, self.warn_tags, note.line() if note else None)

    def _show_new(self, turns: Iterable[Turn]) -> None:
        for turn in turns:
            self._show_turn(turn)
        if self.session.ended:
            self._call_over()
        self._refresh_state()

    def _call_over(self) -> None:
        outcome = self.session.outcome
        said = outcome_words(outcome, none="ended")
        self.query_one(Conversation).add_notice(
            join("The call has ended: ", styled(said, "bold"), ". Write your wrap-up notes.")
        )
        self.query_one("#to-wrap-up", Button).focus()

    # -- the trainee's moves ------------------------------------------------------------------

    @on(Input.Submitted, "#reply")
    def _reply(self, event: Input.Submitted) -> None:
        line = event.value
        event.input.clear()
        if not line.strip() or self.session.ended:
            return
        cmd = parse(line)
        if cmd is None:
            self._say(line.strip())
        elif isinstance(cmd, Action):  # a tool that takes an argument asks for it when missing
            self.use_action(cmd.name, cmd.arg)
        elif isinstance(cmd, Hint):
            self.action_hint()
        elif isinstance(cmd, End):  # typed in full: no need to ask
            self.end_now()
        elif isinstance(cmd, Actions):  # the tools panel is the list, with buttons
            self.call_later(self.action_panel, "actions")
        else:  # shown where line mode prints it: in the conversation, as plain text
            result = perform(self.session, cmd)
            self.query_one(Conversation).add_notice(plain(describe(result).strip()))

    def _say(self, text: str) -> None:
        try:
            turns = self.session.say(text)
        except CallError as exc:  # e.g. too long: the reply goes back in the box to shorten
            self.query_one("#reply", Input).value = text
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show_new(turns)

    def use_action(self, name: str, arg: str | None = None) -> None:
        """Use a tool; one that takes something asks for it first (its choices, its range)."""
        action = self.session.scenario.actions.get(name)
        asks = action.input if action is not None else None
        if action is not None and asks is not None and arg is None:

            def used(turn: Turn | None) -> None:
                if turn is not None:
                    self._show_new([turn])
                    self.action_to_reply()

            def use(value: str) -> Turn:
                return self.session.act(name, value or None)

            self.app.push_screen(ArgumentPrompt(action.label, asks, use), used)
            return
        try:
            turn = self.session.act(name, arg or None)
        except CallError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show_new([turn])
        self.action_to_reply()

    @on(Button.Pressed, ".action")
    def _action_pressed(self, event: Button.Pressed) -> None:
        if event.button.name:
            self.use_action(event.button.name)

    @on(Button.Pressed, "#to-wrap-up")
    def _wrap_pressed(self) -> None:
        self.action_wrap_up()

    def action_hint(self) -> None:
        conversation = self.query_one(Conversation)
        result = perform(self.session, Hint())
        assert isinstance(result, HintShown)
        hint = result.hint
        if result.reason == HINTS_OFF:
            self.notify(HINTS_OFF)
        elif hint is None:
            conversation.add_notice(result.reason or "")
        else:
            conversation.add_notice(
                join("Hint (costs points): try something like “", plain(hint), "”")
            )

    def action_end_call(self) -> None:
        """F10: end the call once the trainee confirms."""
        if self.session.ended:
            return

        def answered(end: bool | None) -> None:
            if end:
                self.end_now()

        self.app.push_screen(ConfirmEnd(), answered)

    def end_now(self) -> None:
        if self.session.ended:
            return
        before = len(self.session.turns)
        self.session.end()
        self._show_new(self.session.turns[before:])

    def action_wrap_up(self) -> None:
        if self.session.ended:
            self.app.open_wrap_up(self.session)

    async def action_panel(self, tab: str) -> None:
        await self._build_side()
        target = {
            "account": "#account-scroll",
            "knowledge": "#kb-search",
            "actions": "#action-list",
        }[tab]
        widget = self.query_one(target)
        if tab == "actions":
            widget = next(iter(self.query(".action").results(Button)), widget)
        # Focus moves into the tab before it is shown: focus left in the tab being hidden (the
        # knowledge list, say) would otherwise pull its own tab back to the front.
        widget.focus()
        self.query_one("#side-tabs", TabbedContent).active = tab
        self.add_class("-show-side")
        self.refresh_bindings()

    def action_to_reply(self) -> None:
        self.remove_class("-show-side")
        self.refresh_bindings()
        if self.session.ended:
            self.query_one("#to-wrap-up", Button).focus()
        else:
            self.query_one("#reply", Input).focus()

    # -- knowledge base -----------------------------------------------------------------------

    def _fill_kb(self, query: str) -> None:
        words = query.lower().split()
        try:
            options = self.query_one("#kb-list", OptionList)
        except NoMatches:  # the screen was closed before its side panel finished building
            return
        options.clear_options()
        articles = self.session.scenario.knowledge
        fit = {
            aid: article_matches(words, a.title, list(a.keywords), a.body)
            for aid, a in articles.items()
        }
        # Articles named by the search, or only when none is, those that mention it: each
        # letter typed narrows the list, where most articles mention most words somewhere.
        best = max(fit.values(), default=0)
        for aid, article in articles.items():
            if best and fit[aid] == best:
                options.add_option(Option(plain(article.title, keep_newlines=False), id=aid))
        if options.option_count:
            options.highlighted = 0
            self._show_article(options.get_option_at_index(0).id)
        else:
            self.query_one("#kb-body", Static).update("No article matches.")

    def _show_article(self, aid: str | None) -> None:
        article = self.session.scenario.knowledge.get(aid or "")
        if article is not None:
            self.query_one("#kb-body", Static).update(
                join(styled(article.title, "bold"), "\n", plain(article.body))
            )

    @on(Input.Changed, "#kb-search")
    def _kb_search(self, event: Input.Changed) -> None:
        self._fill_kb(event.value)

    @on(Input.Submitted, "#kb-search")
    def _kb_submit(self) -> None:
        self.query_one("#kb-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#kb-list")
    def _kb_highlight(self, event: OptionList.OptionHighlighted) -> None:
        self._show_article(event.option.id)

    # -- the command palette ------------------------------------------------------------------

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if self.session.ended:
            yield ("Wrap up the call", "Write your notes", self.action_wrap_up)
            return
        for name, action in self.session.scenario.actions.items():
            yield (
                f"Action: {action.label}",
                "Use this tool on the call",
                lambda name=name: self.use_action(name),
            )
        if self.session.mode == "practice":
            yield ("Hint", "An example of what might work here (costs points)", self.action_hint)
        # chosen by name, like /end: ends at once (F10, one key, asks first)
        yield ("End call", "End the call and write your notes", self.end_now)
        for aid, article in self.session.scenario.knowledge.items():
            yield (
                f"Knowledge: {article.title}",
                "Open this article",
                lambda aid=aid: self._open_article(aid),
            )

    async def _open_article(self, aid: str) -> None:
        await self.action_panel("knowledge")
        self._show_article(aid)
