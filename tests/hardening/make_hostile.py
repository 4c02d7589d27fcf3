"""Writes the small hostile scenario files in tests/hardening/hostile/ and the hostile import
files in tests/hardening/hostile/imports/ (committed).

Run it again after changing a case: `python tests/hardening/make_hostile.py`. The large cases
(10 MiB, 10,000 levels, very long lines) are built by the tests at run time instead.
`test_hostile_files.py` says what each file must do (be refused with which words, or load and
show which placeholders).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "hostile"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` exactly (control characters as escapes)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co") or ch == "\ufeff":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def scenario(t: str, sid: str, *, lead: str = "") -> str:
    """A small valid scenario with `t` in every text field a trainer writes."""
    q = quoted
    return f"""{lead}# hostile: {sid}
format: 1
id: {sid}
title: {q("Hostile " + t)}
category: other
difficulty: 1
version: "1"
target_seconds: 300
briefing: {q("Briefing " + t)}
goal: {q("Goal " + t)}
customer:
  name: {q("Sam " + t)}
  persona: {q("Persona " + t)}
  mood: 5
  demand_line: {q("Manager now " + t)}
  hang_up_line: {q("Bye " + t)}
account:
  {q("Note " + t)}: {q("Value " + t)}
facts:
  detail:
    summary: {q("Summary " + t)}
    says: {q("It happened on Monday " + t)}
    asked_by: [{q("When did it happen? " + t)}]
    keywords: [monday, {q("kw " + t)}]
actions:
  probe:
    label: {q("Probe " + t)}
    description: {q("Description " + t)}
    result: {q("Result " + t)}
    takes: {q("Argument " + t)}
knowledge:
  article:
    title: {q("Article " + t)}
    body: {q("Body " + t)}
intents:
  fix:
    description: {q("Fixes it " + t)}
    examples: ["I will fix it for you today", {q("fix " + t)}]
start: opening
stages:
  opening:
    customer: {q(t + " Opening line")}
    responses:
      - intent: fix
        to: done
        say: {q(t + " Reply to the fix")}
    fallback:
      say: {q(t + " Fallback line")}
      mood: 0.5
  done:
    ending: resolved
    customer: {q(t + " Closing line")}
escalation:
  when: {q("When " + t)}
expectations:
  timeline: {q("Today " + t)}
  forbidden_promises: [{q("Never " + t)}]
  wrap_up_must_record: [detail]
"""


#: Text put in every field of the loadable hostile scenarios.
LOADABLE: dict[str, str] = {
    "ansi-csi": "\x1b[2J\x1b[H\x1b[31mred\x1b[0m",
    "osc52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc8-hyperlink": "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "bell-backspace": "ding\x07\x07 erase\x08\x08\x08",
    "cr-overwrite": "Refund approved\rRefund DENIED  ",
    "c1-controls": "\x9b2J csi \x9d0;title\x9c osc \x85 nel \x90dcs\x9c",
    "bidi-overrides": "\u202eevil.exe\u202c \u2066iso\u2069 \u200fmark \u202aembed\u202c",
    "rtl-text": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
    "\u0627\u0644\u062d\u0633\u0627\u0628",
    "emoji-zwj": "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 "
    "\U0001f3f3\ufe0f\u200d\U0001f308 \U0001f1ec\U0001f1e7 \U0001f44d\U0001f3fd",
    "combining-marks": "Z\u0337\u0322a\u0338l\u0335g\u0336o\u0301\u0302\u0303 e\u0301",
    "code-strings": "os.system('rm -rf ~') __import__('os').system('id') "
    "{0.__class__.__mro__} %s%n ${HOME} $(id) `id` eval('1')",
    "markup": "[bold red]loud[/] [/] [@click=app.quit]quit[/] [link=http://x]y[/link] [$var]",
    "html-script": "<script>alert(1)</script> <img src=x onerror=alert(1)> &amp; </div>",
    "csv-formula": '=HYPERLINK("http://evil.example","x") +cmd|\'/C calc\'!A0 @SUM(A1)',
    "zero-width": "zero\u200bwidth\u2060join\ufeffbom\u00adsoft",
    "line-separators": "one\u2028two\u2029three",
    "odd-spaces": "nbsp\u00a0ideo\u3000em\u2003thin\u2009",
}

#: Refused files: their raw text (bytes where the encoding itself is the point).
REFUSED: dict[str, str | bytes] = {}

BASE = scenario("plain", "base")


def with_line(replace: str, by: str) -> str:
    assert replace in BASE, replace
    return BASE.replace(replace, by, 1)


REFUSED["billion-laughs"] = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "format: 1\n"
)
REFUSED["merge-key"] = with_line(
    "customer:\n", "base_customer: &who {name: Sam}\ncustomer:\n  <<: *who\n"
)
REFUSED["duplicate-keys"] = with_line("difficulty: 1\n", "difficulty: 1\ndifficulty: 5\n")
REFUSED["duplicate-stage"] = with_line(
    "  done:\n", "  opening:\n    customer: Again.\n    ending: resolved\n  done:\n"
)
REFUSED["python-object"] = with_line(
    "title:", "title: !!python/object:__main__.Exploit {cmd: id}\nx_title:"
)
REFUSED["python-object-apply"] = with_line(
    "briefing:", 'briefing: !!python/object/apply:os.system ["echo pwned"]\nx_briefing:'
)
REFUSED["python-name"] = with_line("goal:", "goal: !!python/name:os.system\nx_goal:")
REFUSED["python-module"] = with_line("version:", "version: !!python/module:os\nx_version:")
REFUSED["python-object-new"] = with_line(
    "  persona:", "  persona: !!python/object/new:subprocess.Popen [[id]]\n  x_persona:"
)
REFUSED["code-stage-ids"] = (
    with_line("start: opening", "start: os.system")
    .replace("  opening:\n", "  os.system:\n", 1)
    .replace("to: done", "to: __import__('os')")
)
REFUSED["code-intent-names"] = with_line("  fix:\n", '  "{0.__class__}":\n').replace(
    "- intent: fix", "- intent: os.system"
)
REFUSED["raw-escape"] = with_line('goal: "Goal plain"', "goal: Goal \x1b[2J raw escape")
REFUSED["raw-c1"] = with_line('goal: "Goal plain"', "goal: Goal \x9b2J raw CSI")
REFUSED["raw-bell"] = with_line('goal: "Goal plain"', "goal: Goal \x07 raw bell")
REFUSED["nul-byte"] = with_line('goal: "Goal plain"', "goal: Goal \x00 nul").encode()
REFUSED["latin1"] = BASE.replace("Goal plain", "Goal caf\u00e9 cr\u00e8me").encode("latin-1")
REFUSED["mixed-encodings"] = BASE.replace("Goal plain", "Goal caf\u00e9").encode(
    "utf-8"
) + "escalation_note: \u201cquoted\u201d\n".encode("cp1252")
REFUSED["utf16"] = BASE.encode("utf-16")
REFUSED["deep-nesting"] = with_line("briefing:", "briefing: " + "[" * 100 + "]" * 100 + "\nx:")
REFUSED["multi-document"] = BASE + "---\n" + BASE
REFUSED["tabs"] = with_line("  name:", "\tname:")
REFUSED["blank"] = "\ufeff  \n\n# nothing here\n"
REFUSED["zero-width-id"] = with_line("start: opening", "start: open\u200bing").replace(
    "  opening:\n", "  open\u200bing:\n", 1
)
REFUSED["escape-in-key"] = with_line("difficulty:", '"diff\\e[2Jiculty": 1\ndifficulty:')
REFUSED["homoglyph-to"] = with_line("to: done", "to: d\u043ene")
REFUSED["huge-numbers"] = (
    with_line("difficulty: 1", "difficulty: 1e999")
    .replace("target_seconds: 300", "target_seconds: " + "9" * 40)
    .replace("  mood: 5", "  mood: .inf")
)
REFUSED["complex-key"] = with_line("account:\n", "account:\n  ? [a, b]\n  : c\n")
REFUSED["crlf-with-error"] = with_line("category: other", "category: bills").replace("\n", "\r\n")
REFUSED["bom-with-error"] = "\ufeff" + with_line("category: other", "category: bills")
REFUSED["top-level-code"] = "os.system('rm -rf /')\n"
REFUSED["callback-strings-as-ids"] = with_line("  detail:\n", "  __import__('os'):\n").replace(
    "[detail]", "['{0.__class__}']"
)

#: Loadable files with a twist in the file itself rather than in the text.
LOADABLE_FILES: dict[str, str | bytes] = {
    "bom": "\ufeff" + scenario("with a byte-order mark", "bom"),
    "crlf": scenario("with CRLF line ends", "crlf").replace("\n", "\r\n"),
    "yaml11-words": scenario("plain", "yaml11-words")
    .replace('title: "Hostile plain"', "title: no")
    .replace('version: "1"', "version: 1:30")
    .replace('goal: "Goal plain"', "goal: off")
    .replace('  name: "Sam plain"', "  name: yes"),
}


# ---------------------------------------------------------------------------------------------
# Hostile imports: calls sent from "another machine" (hostile/imports/*.json), each file one call
# or a list. `test_hostile_imports.py` says what `callsim import` must do with each.

IMPORTS_DIR = HERE / "imports"


def base_call(call_id: str = "base0001-hostile", **changes: Any) -> dict[str, Any]:
    """A small valid call of the bundled broadband scenario, as `callsim export` writes it."""
    turns = [
        {"index": 0, "speaker": "customer", "text": "It's still down.", "at": 0.0,
         "stage": "opening", "mood_before": 7.0, "mood_after": 7.0},
        {"index": 1, "speaker": "trainee", "text": "I'm so sorry, that must be frustrating.",
         "at": 6.5, "stage": "opening", "mood_before": 7.0, "mood_after": 6.5,
         "tags": ["empathy"], "score": 42.0},
        {"index": 2, "speaker": "customer", "text": "It is.", "at": 7.0, "stage": "opening"},
    ]  # fmt: skip
    call = {
        "format": "callsim-transcript", "format_version": 1, "call_id": call_id,
        "scenario_id": "broadband-down-repeat-caller", "scenario_version": "1.0",
        "scenario_title": "Hostile import", "scenario_hash": "0" * 64, "scenario_path": "",
        "trainee": "Ann", "mode": "practice", "started_at": "2026-01-05T10:00:00+00:00",
        "ended_at": "2026-01-05T10:05:00+00:00", "duration_seconds": 300.0,
        "target_seconds": 480, "outcome": "unresolved", "opening_mood": 7.0,
        "final_mood": 6.5, "turns": turns,
    }  # fmt: skip
    call.update(changes)
    return call


def graded(call: dict[str, Any], **grade_changes: Any) -> dict[str, Any]:
    """The call with the grade callsim gives it (graded without its scenario)."""
    from callsim.engine.transcript import Transcript
    from callsim.grading.grader import grade_transcript

    grade = grade_transcript(Transcript.model_validate(call)).to_json()
    grade.update(grade_changes)
    return {**call, "grade": grade}


def with_turn(call: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    turns = [dict(t) for t in call["turns"]]
    turns[index].update(changes)
    return {**call, "turns": turns}


INF, NAN = float("inf"), float("nan")


def hostile_imports() -> dict[str, Any]:
    """name -> the JSON value of the file (json.dumps writes inf/nan as Infinity/NaN)."""
    c = base_call
    return {
        "scenario-path-etc-shadow": c("path0001-hostile", scenario_path="/etc/shadow"),
        "scenario-id-a-path": c("path0002-hostile", scenario_id="/etc/shadow"),
        "infinity-time": with_turn(c("numb0001-hostile"), 1, at=INF),
        "nan-mood": with_turn(c("numb0002-hostile"), 1, mood_after=NAN),
        "negative-infinity": c("numb0003-hostile", duration_seconds=-INF),
        "huge-int": c("numb0004-hostile", target_seconds=10**30),
        "huge-float": c("numb0005-hostile", final_mood=1e300),
        "mood-out-of-range": c("numb0006-hostile", opening_mood=11),
        "score-out-of-range": with_turn(c("numb0007-hostile"), 1, score=123456.0),
        "grade-infinity": graded(c("grad0001-hostile"), score=INF),
        "grade-huge": graded(c("grad0002-hostile"), score=10**30),
        "grade-out-of-range": graded(c("grad0003-hostile"), score=250),
        "call-id-slash": c("../../etc/cron.d/x"),
        "call-id-short": c("abc"),
        "call-id-markup": c("[/]hostile0000"),
        "call-id-space": c("hostile 0000 0001"),
        "date-garbage": c("date0001-hostile", started_at="yesterday afternoon"),
        "date-ended-garbage": c("date0002-hostile", ended_at="2026-13-45T99:00:00"),
        "mixed-good-and-bad": [
            c("mixd0001-hostile"),
            with_turn(c("mixd0002-hostile"), 1, at=INF),
            c("a/b/c/d/e/f"),
            graded(c("mixd0004-hostile")),
        ],
    }


#: Files whose raw text is the point (no JSON value would write it).
RAW_IMPORTS: dict[str, str] = {
    "digits-5000": json.dumps(base_call("numb0008-hostile")).replace(
        '"target_seconds": 480', '"target_seconds": ' + "9" * 5000
    ),
    "nesting-100000": '{"format": "callsim-transcript", "turns": '
    + "[" * 100_000
    + "]" * 100_000
    + "}",
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for name, text in LOADABLE.items():
        (HERE / f"{name}.yaml").write_text(scenario(text, name), encoding="utf-8", newline="")
    for name, body in {**REFUSED, **LOADABLE_FILES}.items():
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        (HERE / f"{name}.yaml").write_bytes(raw)
    print(f"wrote {len(list(HERE.glob('*.yaml')))} files to {HERE}")
    IMPORTS_DIR.mkdir(exist_ok=True)
    for old in IMPORTS_DIR.glob("*.json"):
        old.unlink()
    for name, value in hostile_imports().items():
        text = json.dumps(value, indent=1)  # allow_nan: Infinity and NaN, as some tools write
        (IMPORTS_DIR / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    for name, text in RAW_IMPORTS.items():
        (IMPORTS_DIR / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(list(IMPORTS_DIR.glob('*.json')))} files to {IMPORTS_DIR}")


if __name__ == "__main__":
    main()
