"""Slash commands: one interpreter for line mode, scripts, resumed calls and the app.

A reply that starts with '/' is a command, not something said to the customer. `parse` reads
it into a typed command (or a `UsageError` saying what is wrong); `perform` carries it out on a
session and returns a typed result. Each front end only presents the result: line mode prints
it, a script records refusals as problems, the app may open a panel. So `/mood` or `/notes`
mean the same wherever they are typed. `COMMANDS` is the one table, and `/help` lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from callsim.engine.call import CallError
from callsim.engine.inputs import needs_value
from callsim.engine.models import Action as ScenarioAction
from callsim.engine.models import Outcome, outcome_words
from callsim.engine.transcript import Turn

if TYPE_CHECKING:
    from callsim.sim.session import CallSession


@dataclass(frozen=True)
class CommandSpec:
    """One row of the command table: how it is typed and what it does."""

    name: str
    usage: str
    help: str
    aliases: tuple[str, ...] = ()


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", "/help", "this list", ("?", "h")),
    CommandSpec("action", "/action NAME [ARGS]", "use a tool (see /actions)"),
    CommandSpec("actions", "/actions", "the tools this call offers"),
    CommandSpec("facts", "/facts", "what the customer has told you so far"),
    CommandSpec("mood", "/mood", "how the customer feels now (0 calm, 10 furious)"),
    CommandSpec("hint", "/hint", "an example of what might work here (practice only; counted)"),
    CommandSpec("notes", "/notes TEXT", "write the wrap-up notes (you can edit them at wrap-up)"),
    CommandSpec("end", "/end", "end the call"),
)
_BY_NAME = {alias: spec for spec in COMMANDS for alias in (spec.name, *spec.aliases)}


def help_text() -> str:
    """The command table as the trainee reads it."""
    width = max(len(spec.usage) for spec in COMMANDS) + 3
    return "\n".join(f"{spec.usage:<{width}}{spec.help}" for spec in COMMANDS)


def mood_meter(mood: float, width: int = 10) -> str:
    """The customer's mood as a text meter: `mood  6.0/10 [######....]`."""
    filled = round(mood / 10 * width)
    return f"mood {mood:4.1f}/10 [" + "#" * filled + "." * (width - filled) + "]"


def usage(name: str) -> str:
    """How a command is typed, for a usage error."""
    return f"Usage: {_BY_NAME[name].usage}"


# -- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    """List the commands."""


@dataclass(frozen=True)
class Action:
    """Use one of the scenario's tools, with its argument if it takes one."""

    name: str
    arg: str | None = None


@dataclass(frozen=True)
class Actions:
    """List the tools this call offers."""


@dataclass(frozen=True)
class Facts:
    """List what the customer has told the trainee so far."""


@dataclass(frozen=True)
class Mood:
    """Show how the customer feels now."""


@dataclass(frozen=True)
class Hint:
    """An example of what might work here (practice mode; counted)."""


@dataclass(frozen=True)
class Notes:
    """Write the wrap-up notes."""

    text: str


@dataclass(frozen=True)
class End:
    """End the call."""


@dataclass(frozen=True)
class UsageError:
    """A line that starts with '/' but is no command as typed; `message` says why."""

    message: str


SlashCommand = Help | Action | Actions | Facts | Mood | Hint | Notes | End


def parse(line: str) -> SlashCommand | UsageError | None:
    """The command a line types, a usage error, or None when the line is a reply.

    A line starting with '//' is a reply, said as typed.
    """
    stripped = line.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    word, _, rest = stripped[1:].partition(" ")
    rest = rest.strip()
    spec = _BY_NAME.get(word.lower())
    if spec is None:
        return UsageError(f"unknown command /{word}; /help lists the commands")
    if spec.name == "action":
        name, _, arg = rest.partition(" ")
        return Action(name, arg.strip() or None) if name else UsageError(usage("action"))
    if spec.name == "notes":
        return Notes(rest) if rest else UsageError(usage("notes"))
    if rest:
        return UsageError(f"{usage(spec.name)}  (/{spec.name} takes nothing after it)")
    simple: dict[str, SlashCommand] = {
        "help": Help(), "actions": Actions(), "facts": Facts(), "mood": Mood(), "hint": Hint(),
        "end": End(),
    }
    return simple[spec.name]


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpShown:
    """The command table (`COMMANDS`) is to be shown."""


@dataclass(frozen=True)
class ActionsShown:
    #: (name, label, what it takes and which values, or None), in the scenario's order
    actions: tuple[tuple[str, str, str | None], ...]


@dataclass(frozen=True)
class FactsShown:
    facts: tuple[str, ...]  #: summaries of the facts revealed, in the order they came out


@dataclass(frozen=True)
class MoodShown:
    mood: float


@dataclass(frozen=True)
class HintShown:
    hint: str | None
    reason: str | None = None  #: why there is no hint


@dataclass(frozen=True)
class ActionTaken:
    turn: Turn


@dataclass(frozen=True)
class NotesKept:
    text: str


@dataclass(frozen=True)
class CallEnded:
    outcome: Outcome | None


@dataclass(frozen=True)
class Refused:
    """The command could not be carried out (a usage error, an unknown tool, a call over)."""

    message: str


Result = (
    HelpShown | ActionsShown | FactsShown | MoodShown | HintShown | ActionTaken | NotesKept
    | CallEnded | Refused
)


def _takes(action: ScenarioAction) -> str | None:
    """What a tool asks for, with the values it takes and the scenario's hint, in one line."""
    inp = action.input
    if inp is None:
        return None
    text = f"takes {inp.what}" + (f": {inp.guide}" if inp.checked else "")
    return text + (f". {inp.hint}" if inp.hint else "")


HINTS_OFF = "Hints are off in assessment mode."
NO_HINT = "No hint for this part of the call."


def perform(session: CallSession, command: SlashCommand | UsageError) -> Result:
    """Carry out one command on the call; what to show comes back as a typed result."""
    sc = session.scenario
    match command:
        case UsageError(message):
            return Refused(message)
        case Help():
            return HelpShown()
        case Actions():
            return ActionsShown(
                tuple((name, a.label, _takes(a)) for name, a in sc.actions.items())
            )
        case Facts():
            return FactsShown(tuple(sc.facts[f].summary for f in session.revealed))
        case Mood():
            return MoodShown(session.mood)
        case Hint():
            if session.mode != "practice":
                return HintShown(None, HINTS_OFF)
            hint = session.hint()
            return HintShown(hint, None if hint else NO_HINT)
        case Action(name, arg):
            try:
                return ActionTaken(session.act(name, arg))
            except CallError as exc:
                tool = sc.actions.get(name)
                if arg is None and tool is not None and needs_value(tool):
                    return Refused(f"{exc}\n  Type it after the name: /action {name} VALUE")
                return Refused(str(exc))
        case Notes(text):
            try:
                session.write_notes(text)
            except CallError as exc:  # longer than a call holds: said, and nothing else lost
                return Refused(str(exc))
            return NotesKept(text)
        case End():
            if not session.ended:
                session.end()
            return CallEnded(session.outcome)
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


def describe(result: Result) -> str:
    """The result as plain text, for line mode and for notices (scenario text verbatim)."""
    match result:
        case HelpShown():
            return help_text()
        case ActionsShown(actions):
            return "\n".join(
                f"  {name:<16} {label}" + (f"\n  {'':<16}   {takes}" if takes else "")
                for name, label, takes in actions
            ) or ("  (this call offers no tools)")
        case FactsShown(facts):
            return "\n".join(f"  - {f}" for f in facts) or "  (nothing yet: ask questions)"
        case MoodShown(mood):
            return mood_meter(mood)
        case HintShown(hint, reason):
            return f'  Hint: try something like "{hint}"' if hint else f"  {reason}"
        case ActionTaken(turn):
            return f"[{turn.text}] {turn.result or ''}"
        case NotesKept():
            return "  Notes kept; you can change them at wrap-up."
        case CallEnded(outcome):
            return f"-- call ended: {outcome_words(outcome)}"
        case Refused(message):
            return f"  {message}"
    raise AssertionError(f"unhandled result {result!r}")  # pragma: no cover
