"""Lint on stages with many examples: the same confused-intent warnings as checking every
example against the whole stage (how long it takes is bench/lint_scale.py's business)."""

from __future__ import annotations

import random
from pathlib import Path

from callsim.engine.lint import lint
from callsim.engine.loader import load_scenario
from callsim.engine.matching import IntentMatcher

OPENERS = ["", "okay so", "right,", "no problem,", "alright then,", "let me see,"]
SUBJECTS = ["I'll", "I can", "let me", "we can", "I will"]
#: near neighbours on purpose: update/upgrade, check/checks, cancel/cancels, set up/setup
VERBS = ["update", "upgrade", "check", "checks", "cancel", "cancels", "refund", "reset", "test"]
OBJECTS = ["the router", "your bill", "the set-top box", "your tariff", "the late fee", "it"]
TAILS = ["", "for you", "right now", "today", "so it's sorted", "while you're on the line"]


def stage_yaml(seed: int, per_intent: int = 6) -> str:
    rng = random.Random(seed)
    topics = [(v, o) for v in VERBS for o in OBJECTS]
    lines = [
        "format: 1", "id: many-examples", "title: Many examples", "category: other",
        "difficulty: 3", 'version: "1"', "target_seconds: 600", "briefing: Generated.",
        "goal: None.", "customer:", "  name: Sam", "  persona: Generated.", "  mood: 5",
        "intents:",
    ]  # fmt: skip
    for i, (verb, obj) in enumerate(topics):
        lines += [f"  i{i:02d}:", "    examples:"]
        seen: set[str] = set()
        while len(seen) < per_intent:
            parts = [rng.choice(OPENERS), rng.choice(SUBJECTS), verb, obj, rng.choice(TAILS)]
            seen.add(" ".join(p for p in parts if p))
        lines += [f'      - "{text}"' for text in sorted(seen)]
        if i % 7 == 0:  # a few not-examples, some of them close to another intent's examples
            lines += ["    not:", f'      - "I can\'t {verb} {obj}"', f'      - "we can {verb}"']
    lines += ["start: listen", "stages:", "  listen:", '    customer: "Go on."', "    responses:"]
    for i in range(len(topics)):
        lines += [f"      - intent: i{i:02d}", "        to: done"]
    lines += ['    fallback:', '      say: "Sorry?"', "  done:", '    customer: "Bye."',
              "    ending: resolved"]  # fmt: skip
    return "\n".join(lines) + "\n"


def every_pair_warnings(loaded) -> list[tuple[str, str]]:
    """The confused-intent check done the slow way: each example against the whole stage."""
    sc = loaded.scenario
    (sid,) = [s for s, st in sc.stages.items() if st.ending is None]
    names = [r.intent for r in sc.stages[sid].responses]
    matcher = IntentMatcher(
        ((n, sc.intents[n].examples, sc.intents[n].not_) for n in names), floor=100.0
    )
    reported: set[frozenset[str]] = set()
    found = []
    for name in names:
        for example in sc.intents[name].examples:
            if not matcher.may_confuse(example, name):
                continue
            m = matcher.match(example)
            if m.intent == name:
                continue
            if m.vetoed_by is not None and m.intent is None:
                found.append((name, example))
                break
            other = m.intent
            if other is None:
                best = next((n for n in names if m.example in sc.intents[n].examples), None)
                other = best if best is not None and best != name else m.runner_up
            if other is None or other == name or frozenset((name, other)) in reported:
                continue
            reported.add(frozenset((name, other)))
            found.append((name, example))
    return found


def confused(loaded) -> list[tuple[str, str]]:
    """(intent, example) of each confused-intent or veto warning lint gives, in order."""
    sc = loaded.scenario
    out = []
    for problem in lint(sc, loaded.source, loaded.shared_intents):
        message = str(problem)
        if "are confused at stage" not in message and "is vetoed by" not in message:
            continue
        intent, j = next(
            (n, j)
            for n, intent in sc.intents.items()
            for j, _ in enumerate(intent.examples)
            if problem.line == loaded.source.locate(("intents", n, "examples", j))[0]
        )
        out.append((intent, sc.intents[intent].examples[j]))
    return out


def test_many_look_alike_intents_get_the_warnings_a_full_comparison_gives(tmp_path: Path):
    for seed in (1, 2, 3):
        path = tmp_path / f"stage-{seed}.yaml"
        path.write_text(stage_yaml(seed), encoding="utf-8")
        loaded = load_scenario(path)
        expected = every_pair_warnings(loaded)
        assert expected, "the generated stage should have intents the matcher confuses"
        assert sorted(confused(loaded)) == sorted(expected)


def test_intents_whose_examples_share_no_word_but_their_letters_are_named(tmp_path: Path):
    # "set up" and "setup": no word in common, yet the matcher cannot tell them apart
    text = (
        stage_yaml(4)
        .replace(
            "intents:\n",
            "intents:\n"
            "  install:\n"
            "    examples:\n"
            "      - I will set up your new router today\n"
            "      - we can plug it in now\n"
            "  configure:\n"
            "    examples:\n"
            "      - I will setup your new router today\n"
            "      - let me change the wifi\n",
            1,
        )
        .replace(
            "    responses:\n",
            "    responses:\n      - intent: install\n      - intent: configure\n",
        )
    )
    path = tmp_path / "setup.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)
    messages = [str(p) for p in lint(loaded.scenario, loaded.source, loaded.shared_intents)]
    assert any("intents 'install' and 'configure' are confused" in m for m in messages)
    assert sorted(confused(loaded)) == sorted(every_pair_warnings(loaded))
