"""How fast grading is: the behaviour tagger's throughput, and grading one long call.

1. Tagger throughput on one core: replies per second through `grading.tagger.tag_reply` (the
   rules with the learned model, as calls are graded) and, beside it, the rules alone
   (`tag_by_rules`), in wall and CPU time, over a
   varied set of replies (the bundled advisor scripts, TAGS.md-style examples, and generated
   replies with openers, typos and texting slips), each with a customer line as context, most of
   them different texts. Reported for a first pass over the set and for a second pass (the
   tagger's word caches warm, as in a long-running app). Target: >= 2,000 replies/s.
2. Grading a 40-reply call (40 trainee replies, 40 customer lines, 4 tool uses: 85 turns) of the
   broadband scenario with the default rubric: `grade_transcript` timed alone (tags are already
   on the turns, as in a saved transcript), the grader's text cache cleared before every run.
   Median of many runs. Target: <= 20 ms.

    .venv/bin/python bench/grading_speed.py [--replies 20000] [--runs 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

from callsim.engine.loader import load_scenario
from callsim.engine.transcript import Transcript, Turn
from callsim.grading import grader
from callsim.grading.tagger import tag_by_rules, tag_reply

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "broadband-down-repeat-caller.yaml"
SCRIPTS = ROOT / "tests" / "sim" / "scripts"

EXAMPLES = [
    "I can hear how frustrating this has been",
    "That sounds really stressful with you working from home",
    "I'm so sorry you've been without a phone line all week",
    "Sorry, could you repeat that?",
    "So your broadband drops every evening since Monday?",
    "What I'm hearing is you were charged twice for October",
    "What happens when you try to connect?",
    "How has this affected you?",
    "Could you walk me through what you did?",
    "Is the light on the router red?",
    "Can I take your account number?",
    "I'll bring my team leader in now",
    "Would you like me to put you through to a manager?",
    "You must have set it up wrong",
    "Calm down",
    "That's not my problem",
    "I guarantee it'll be fixed within the hour",
    "This will never happen again",
    "I'll request the refund; it usually takes 3-5 working days",
    "An engineer can visit on Thursday between 8 and 1",
    "You'll see the credit on your next bill",
    "I can either send an engineer or post a new router, which suits you?",
    "First I'll run a line test, then if it shows a fault I'll book an engineer",
    "Does that sort it out for you?",
    "Is there anything else I can help with today?",
    "I can't guarantee a time, but I'll chase it today",
    "so sorry ur still without internet",
    "what make is the laptop",
]
OPENERS = ["", "okay, ", "right, ", "thanks for that, ", "I see. ", "hmm ", "ok so ", "Sure. "]
CLOSERS = ["", " Thanks.", " Okay?", " Bear with me.", " Right.", " Does that make sense?"]
CUSTOMER = [
    "My broadband's still down. This is the third time I'm calling.",
    "It went off on Monday morning and it hasn't come back once.",
    "I work from home and I've already missed a client deadline.",
    "You've taken my money twice. Twice!",
    "I want to speak to a manager.",
    "The light on the router is flashing red.",
    "Okay. So what happens now?",
]
NAMES = ["Jordan", "Nadia", "Mrs Holloway", "Sam", "Priya", "Alex", "Mr Shah", "Chris"]


def script_lines() -> list[str]:
    lines = []
    for path in sorted(SCRIPTS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith(("/", "#")):
                lines.append(line.strip())
    return lines


def slip(text: str, rng: random.Random) -> str:
    """Typing as people type: lower case, dropped punctuation, a swapped letter, 'u' for you."""
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.2:
        text = text.replace(",", "").replace("?", "").replace(".", "")
    if rng.random() < 0.15:
        text = text.replace(" you ", " u ").replace("your ", "ur ")
    if rng.random() < 0.2 and len(text) > 8:
        i = rng.randrange(1, len(text) - 2)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def replies(n: int, rng: random.Random) -> list[tuple[str, str]]:
    base = script_lines() + EXAMPLES
    out = []
    for _ in range(n):
        text = rng.choice(OPENERS) + rng.choice(base) + rng.choice(CLOSERS)
        if rng.random() < 0.3:
            text = f"{rng.choice(NAMES)}, {text[0].lower()}{text[1:]}"
        out.append((slip(text, rng), rng.choice(CUSTOMER)))
    return out


def tagger_throughput(
    items: list[tuple[str, str]], tag=tag_reply
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Replies per second of wall time and of this process's CPU time, for a first and a
    second pass (CPU time is what a loaded machine's other work does not inflate)."""

    def one_pass() -> tuple[float, float]:
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        for text, customer in items:
            tag(text, customer)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return len(items) / wall, len(items) / max(cpu, 1e-9)

    return one_pass(), one_pass()


def long_call(rng: random.Random, n_replies: int = 40) -> Transcript:
    lines = [t for t, _ in replies(n_replies, rng)]
    facts = ["down_since_monday", "works_from_home", "router_lights", "tried_restart"]
    actions = ["line_test", "outage_check", "book_engineer", "credit"]
    turns: list[Turn] = []
    mood, at = 7.0, 0.0

    def add(**kw) -> None:
        nonlocal at
        at += 6.0
        turns.append(Turn(index=len(turns), at=at, stage="diagnose", **kw))

    add(speaker="customer", text=CUSTOMER[0], mood_after=mood)
    for i, text in enumerate(lines):
        tags = tag_reply(text, turns[-1].text)
        revealed = [facts[i // 4]] if i % 4 == 1 and i // 4 < len(facts) else []
        after = max(0.0, mood - 0.2)
        add(
            speaker="trainee",
            text=text,
            tags=list(tags.tags),
            evidence=dict(tags.evidence),
            mood_before=mood,
            mood_after=after,
            revealed=revealed,
            fact_asked=revealed[0] if revealed else None,
        )
        mood = after
        add(speaker="customer", text=rng.choice(CUSTOMER), mood_after=mood)
        if i % 10 == 5:
            name = actions[i // 10]
            add(speaker="action", text=name, action=name, result="done", mood_after=mood)
    return Transcript(
        call_id="bench",
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1",
        started_at="2025-01-01T09:00:00+00:00",
        duration_seconds=at,
        target_seconds=480,
        outcome="resolved",
        opening_mood=7.0,
        final_mood=mood,
        revealed=facts,
        actions=actions,
        wrap_up="Down since Monday morning, router light flashing red, restarted and swapped "
        "cable. Works from home. Engineer booked Thursday 8-1.",
        turns=turns,
    )


def grading_time(transcript: Transcript, loaded, runs: int) -> list[float]:
    grader.grade_transcript(transcript, loaded)  # rubric loaded, modules warm
    times = []
    for _ in range(runs):
        grader._processed.cache_clear()
        start = time.perf_counter()
        grader.grade_transcript(transcript, loaded)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replies", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rng = random.Random(args.seed)
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")

    items = replies(args.replies, rng)
    distinct = len({t for t, _ in items})
    rules = tagger_throughput(items, tag_by_rules)
    model = tagger_throughput(items, tag_reply)
    print(f"tagger: {len(items):,} replies ({distinct:,} distinct texts), one core; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'replies/s':<24}{'rules alone':>14}{'graded (+ model)':>18}")
    for n, name in enumerate(("first pass", "second pass")):
        print(f"  {name + ', wall':<22}{rules[n][0]:>12,.0f}/s{model[n][0]:>16,.0f}/s")
        print(f"  {name + ', CPU':<22}{rules[n][1]:>12,.0f}/s{model[n][1]:>16,.0f}/s")
    print("  (target >= 2,000/s)")
    second, model_second = rules[1][1], model[1][1]

    loaded = load_scenario(SCENARIO)
    call = long_call(rng)
    replies_n = len(call.trainee_turns())
    times = grading_time(call, loaded, args.runs)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"grading a {replies_n}-reply call ({len(call.turns)} turns), {args.runs} runs")
    print(
        f"  median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"min {times[0]:.2f} ms   (target <= 20 ms)"
    )
    median = statistics.median(times)
    summary = [
        ("tagger throughput as graded (rules + model), one core, CPU time", ">= 2,000 replies/s",
         f"{model_second:,.0f}/s", model_second >= 2000),
        ("tagger throughput, rules alone, one core, CPU time", ">= 2,000 replies/s",
         f"{second:,.0f}/s", second >= 2000),
        ("grading a 40-reply call", "<= 20 ms", f"{median:.2f} ms", median <= 20),
    ]
    print("SUMMARY " + json.dumps({"bench": "grading_speed", "figures": summary}))


if __name__ == "__main__":
    main()
