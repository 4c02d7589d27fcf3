"""Hostile scenario files: each is refused with a clear, positioned message, or (where it is
valid text) loads and is shown inert in line mode and in the app.

The small files are in hostile/ (written by make_hostile.py); the large ones (10 MiB, 10,000
levels of nesting, very long lines) are built here in tmp_path. Per-file load times are a
benchmark (bench/hostile_files.py), not an assertion.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hardening_helpers import screen_text, stub_tagger, unsafe_in

from callsim.engine.loader import ScenarioError, load_scenario, load_scenario_bytes
from callsim.engine.yamlsafe import MAX_BYTES, MAX_DEPTH
from callsim.sim import session as sim_session
from callsim.sim.catalogue import load_entry
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive
from callsim.tui.app import CallsimApp

HOSTILE = Path(__file__).parent / "hostile"

#: Refused files -> words one of the problems must say.
REFUSED: dict[str, tuple[str, ...]] = {
    "billion-laughs": ("anchors (&a) are not allowed",),
    "merge-key": ("aliases (*who) are not allowed",),
    "duplicate-keys": ("duplicate key 'difficulty'", "first at line 6"),
    "duplicate-stage": ("duplicate key 'opening'",),
    "python-object": ("tag '!!python/object:__main__.Exploit' is not allowed",),
    "python-object-apply": ("tag '!!python/object/apply:os.system' is not allowed",),
    "python-name": ("tag '!!python/name:os.system' is not allowed",),
    "python-module": ("tag '!!python/module:os' is not allowed",),
    "python-object-new": ("tag '!!python/object/new:subprocess.Popen' is not allowed",),
    "code-stage-ids": ("'os.system' is not a valid id",),
    "code-intent-names": ("'{0.__class__}' is not a valid id",),
    "callback-strings-as-ids": ("'__import__('os')' is not a valid id",),
    "raw-escape": ("control character U+001B is not allowed",),
    "raw-c1": ("control character U+009B is not allowed",),
    "raw-bell": ("control character U+0007 is not allowed",),
    "nul-byte": ("NUL byte", "not a text file"),
    "latin1": ("not UTF-8 text",),
    "mixed-encodings": ("not UTF-8 text",),
    "utf16": ("saved as UTF-16 text", "save it as UTF-8"),
    "deep-nesting": (f"nested deeper than {MAX_DEPTH} levels",),
    "multi-document": ("only one YAML document",),
    "tabs": ("indent with spaces, not tabs",),
    "blank": ("the file is empty",),
    "zero-width-id": ("is not a valid id",),
    "escape-in-key": ("unknown key", "did you mean 'difficulty'"),
    "homoglyph-to": ("is not a valid id",),
    "huge-numbers": ("difficulty: must be a whole number, not inf",),
    "complex-key": ("a mapping key must be plain text",),
    "crlf-with-error": ("category: must be one of",),
    "bom-with-error": ("category: must be one of",),
    "top-level-code": ("must be a mapping of keys to values",),
}

#: Exactly where some refusals must point (line, col): the BOM and CRLF must not shift them.
WHERE = {"crlf-with-error": (5, 11), "bom-with-error": (5, 11), "duplicate-keys": (7, 1)}

#: Loadable files -> what line mode must show for the hostile text (inert and visible).
LOADABLE: dict[str, tuple[str, ...]] = {
    "ansi-csi": ("\\x1b[2J\\x1b[H\\x1b[31mred\\x1b[0m",),
    "osc52-clipboard": ("\\x1b]52;c;cm0gLXJmIH4=\\x07",),
    "osc8-hyperlink": ("\\x1b]8;;https://evil.example/\\x1b\\click me",),
    "bell-backspace": ("ding\\x07\\x07 erase\\x08\\x08\\x08",),
    "cr-overwrite": ("Refund approved\\x0dRefund DENIED",),
    "c1-controls": ("\\x9b2J csi \\x9d0;title\\x9c osc \\x85 nel",),
    "bidi-overrides": ("\\u202eevil.exe\\u202c \\u2066iso\\u2069 \\u200fmark",),
    "rtl-text": ("\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",),
    "emoji-zwj": ("\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",),
    "combining-marks": ("Z\u0337\u0322a\u0338l\u0335g\u0336o",),
    "code-strings": ("__import__('os').system('id') {0.__class__.__mro__} %s%n ${HOME}",),
    "markup": ("[bold red]loud[/] [/] [@click=app.quit]quit[/]",),
    "html-script": ("<script>alert(1)</script>",),
    "csv-formula": ('=HYPERLINK("http://evil.example","x")',),
    "zero-width": ("zero\\u200bwidth\\u2060join\\ufeffbom",),
    "line-separators": ("one\\u2028two\\u2029three",),
    "odd-spaces": ("nbsp\u00a0ideo\u3000em",),
    "bom": ("with a byte-order mark Opening line",),
    "crlf": ("with CRLF line ends Opening line",),
    "yaml11-words": ("plain Opening line",),
}

SCRIPT = [
    "Sorry, when did it happen?",
    "/action probe 30",
    "I will fix it for you today",
    "/notes Fixed it; followed up.",
]


@pytest.fixture(autouse=True)
def _stub_tagger(monkeypatch):
    monkeypatch.setattr(sim_session, "default_tagger", lambda: stub_tagger)


def test_the_corpus_is_complete():
    names = {p.stem for p in HOSTILE.glob("*.yaml")}
    assert names == set(REFUSED) | set(LOADABLE)
    assert len(names) >= 30 and not set(REFUSED) & set(LOADABLE)


def assert_clear(problems, path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    for p in problems:
        text = str(p)
        assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: error: \S", text), text
        assert 1 <= p.line <= len(lines) and p.col >= 1, text
        assert "\n" not in p.message and "Traceback" not in text


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_refused_with_a_clear_message(name, capsys):
    path = HOSTILE / f"{name}.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert_clear(problems, path)
    messages = " | ".join(p.message for p in problems)
    for words in REFUSED[name]:
        assert words in messages, messages
    if name in WHERE:
        assert WHERE[name] in {(p.line, p.col) for p in problems}, messages
    with pytest.raises(ScenarioError) as again:  # an upload gets the same answer
        load_scenario_bytes(path.read_bytes(), str(path))
    assert [str(p) for p in again.value.problems] == [str(p) for p in problems]
    # what a trainer sees on the terminal: the same problems, inert, and exit code 1
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert not unsafe_in(out + err), unsafe_in(out + err)
    assert "Traceback" not in err and f"{path}:{problems[0].line}:{problems[0].col}" in out + err


@pytest.mark.parametrize("name", sorted(LOADABLE))
def test_a_hostile_but_valid_file_plays_inert_in_line_mode(name, capsys, tmp_path):
    path = HOSTILE / f"{name}.yaml"
    script = tmp_path / "script.txt"
    script.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    code = main(["run", str(path), "--script", str(script), "--no-save"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not unsafe_in(out + err), unsafe_in(out + err)
    assert "Customer:" in out and "-- call ended: resolved" in out
    for shown in LOADABLE[name]:
        assert shown in out, out
    # the interactive line mode prints the title, briefing, goal, tools, facts and hints too
    lines: list[str] = []
    feed = iter(["/actions", "/hint", "When did it happen?", "/facts", "/help x", "/end", ""])
    interactive(
        load_scenario(path),
        trainee="ann",
        mode="practice",
        read=lambda prompt: next(feed),
        write=lines.append,
    )
    shown_all = "\n".join(lines)
    assert not unsafe_in(shown_all), unsafe_in(shown_all)
    assert LOADABLE[name][0] in shown_all


#: Opened in the app in the default run: the files whose text terminal_safe changes, and markup.
#: The rest (shown unchanged: RTL, emoji, combining marks, code and HTML text, BOM, CRLF...)
#: are opened in the `slow` run, as each call screen costs about half a second.
APP_QUICK = [
    "ansi-csi", "osc52-clipboard", "osc8-hyperlink", "bell-backspace", "cr-overwrite",
    "c1-controls", "bidi-overrides", "zero-width", "line-separators", "markup",
]  # fmt: skip


async def test_hostile_but_valid_files_show_placeholders_in_the_app():
    await _open_in_the_app(APP_QUICK)


@pytest.mark.slow
async def test_the_other_hostile_but_valid_files_in_the_app():
    await _open_in_the_app([n for n in LOADABLE if n not in APP_QUICK])


async def _open_in_the_app(names: list[str]) -> None:
    """One app opens each file: home, briefing, then the call screen; nothing raw is painted."""
    names = sorted(names)
    entries = [load_entry(HOSTILE / f"{name}.yaml") for name in names]
    assert all(e.loaded is not None for e in entries), [e.problems for e in entries]
    app = CallsimApp(catalogue=entries, tagger=stub_tagger, cursor_blink=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        home = screen_text(app)
        assert not unsafe_in(home), unsafe_in(home)
        for name, entry in zip(names, entries, strict=True):
            app.open_briefing(entry)
            await pilot.pause()
            briefing = screen_text(app)
            assert not unsafe_in(briefing), (name, unsafe_in(briefing))
            await pilot.press("p")
            await pilot.pause()
            call = screen_text(app)
            assert not unsafe_in(call), (name, unsafe_in(call))
            said = "\n".join(str(w.render()) for w in app.screen.query(".turn"))
            marker = LOADABLE[name][0]
            assert marker in said, (name, said)
            placeholder = re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4})", marker)
            if placeholder:  # e.g. \x1b as painted on the screen, in the title bar at least
                assert placeholder.group(0) in call, (name, call)
            app.pop_screen()  # the call screen; the next briefing opens over home
            await pilot.pause()


# -- large files built at run time ------------------------------------------------------------


def minimal(extra: str = "", customer: str = "Hello.") -> str:
    return (
        "format: 1\nid: big\ntitle: Big\ncategory: other\ndifficulty: 1\nversion: '1'\n"
        "target_seconds: 300\nbriefing: b\ngoal: g\ncustomer: {name: Sam, persona: p, mood: 5}\n"
        f"{extra}start: opening\nstages:\n  opening:\n    customer: {customer}\n"
        "    fallback: {say: What?, to: done}\n  done:\n    ending: resolved\n    customer: Bye.\n"
    )


def test_a_10_mib_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "ten-mib.yaml"
    path.write_bytes(minimal().encode() + b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    for load in (lambda: load_scenario(path), lambda: load_scenario_bytes(path.read_bytes(), "u")):
        with pytest.raises(ScenarioError) as info:
            load()
        (problem,) = info.value.problems
        assert (problem.line, problem.col) == (1, 1) and f"{MAX_BYTES:,}" in problem.message


@pytest.mark.parametrize("kind", ["flow-lists", "flow-maps", "block-lists", "mixed"])
def test_10000_levels_of_nesting_are_refused_without_recursing(tmp_path, kind):
    n = 10_000
    body = {
        "flow-lists": "briefing: " + "[" * n + "]" * n,
        "flow-maps": "briefing: " + "{a: " * n + "}" * n,
        "block-lists": "briefing:\n" + "- " * n + "x",  # compact: indenting 10,000 levels
        "mixed": "briefing: " + "[{a: " * (n // 2),  # would pass the size limit first
    }[kind]
    path = tmp_path / "deep.yaml"
    path.write_text(body + "\n", encoding="utf-8")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)  # any recursion over the nesting would blow up
    try:
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
    finally:
        sys.setrecursionlimit(limit)
    assert_clear(info.value.problems, path)
    assert any(f"deeper than {MAX_DEPTH}" in p.message for p in info.value.problems)


def test_very_long_lines(tmp_path, capsys):
    # a 900 KiB comment on one line is fine; a 200 KiB customer line is too long to show
    ok = tmp_path / "long-comment.yaml"
    ok.write_text("# " + "x" * (900 * 1024) + "\n" + minimal(), encoding="utf-8")
    assert load_scenario(ok).scenario.id == "big"
    long_line = tmp_path / "long-line.yaml"
    long_line.write_text(minimal(customer="y" * (200 * 1024)), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(long_line)
    (problem,) = info.value.problems
    assert problem.line == 14 and "too long" in problem.message
    key = tmp_path / "long-key.yaml"
    key.write_text(minimal(extra=f"{'k' * 300_000}: 1\n"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(key)
    assert_clear(info.value.problems, key)
    assert main(["validate", str(key)]) == 1
    out, err = capsys.readouterr()
    assert len(out + err) < 20_000, "a 300,000-character key is echoed whole"
