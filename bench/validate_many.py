"""How long checking a large scenario library takes: 1,000 generated files of realistic size.

Each file has ~10 stages with mood-dependent customer lines, 8 intents of 4 examples, 4 hidden
facts, 4 actions with requirements, a knowledge article and expectations (about 10 KiB, like a
bundled scenario). All are written to a temporary folder and checked:

- in-process, through `sim.commands.validate.validate_files`, the function `callsim validate`
  uses (with the same file discovery, `collect`): on every core, as the command does, and on
  one core (`check_files(..., jobs=1)`);
- through the real command, `python -m callsim validate DIR`, in a subprocess (start-up
  included; it reads compiled modules from a temporary PYTHONPYCACHEPREFIX, filled by an
  untimed run on one file, as an installed callsim would even where PYTHONDONTWRITEBYTECODE
  is set);
each both as `callsim validate` does by default (errors and lint warnings) and with
`--errors-only` (no lint). Wall time and CPU time (all processes, workers included) are shown.

Beside them, the bare libraries on the same files, one core: PyYAML's C loader
(`yaml.load(text, CSafeLoader)`, no positions, no strictness) and pydantic validating the
plain data it returns (`Scenario.model_validate`).

Target: <= 3 s for the 1,000 files with lint, through the command.

    .venv/bin/python bench/validate_many.py [--files 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from callsim.engine.loader import check_files
from callsim.engine.models import Scenario
from callsim.sim.commands.validate import collect, validate_files

STAGES = 10


def scenario(n: int) -> str:
    """One scenario: a chain of stages with a side branch, endings, facts and actions."""
    out = [
        "format: 1",
        f"id: generated-{n:04d}",
        f'title: "Generated call number {n}"',
        "category: technical",
        f"difficulty: {1 + n % 5}",
        'version: "1.0"',
        "target_seconds: 480",
        "briefing: >-",
        f"  Customer {n} is calling about a fault that has lasted several days. The account",
        "  shows two earlier contacts about it and an open ticket awaiting diagnostics.",
        "goal: Calm the customer, find the facts, run the checks and book a fix with a real time.",
        "customer:",
        f"  name: Customer {n}",
        "  persona: Works from home, third call this week, short sentences, hates repeating.",
        f"  mood: {5 + n % 3}",
        "  patience: 3",
        "account:",
        f'  Account: "AC-{n:06d}"',
        '  Package: "Fibre 150, 18-month contract"',
        '  Contacts: "Mon: restarted router. Wed: ticket raised, no engineer booked."',
        "facts:",
    ]
    for f in range(4):
        out += [
            f"  fact_{f}:",
            f"    summary: fact number {f} of call {n}",
            f'    says: "This is what I know about thing {f}, and I have told you before."',
            "    asked_by:",
            f'      - "What can you tell me about thing {f}?"',
            f'      - "When did thing {f} first happen?"',
            f'      - "How has thing {f} affected you?"',
            f"    keywords: [thing {f}, item {f}]",
        ]
    out.append("actions:")
    for a in range(4):
        out += [
            f"  action_{a}:",
            f"    label: Run tool {a}",
            f"    description: Remote tool number {a}.",
            f'    result: "Tool {a}: result text for call {n}, with a reference REF-{n}{a}."',
            f"    reveals: [fact_{a}]",
            "    mood: -0.5",
        ]
    out += [
        "knowledge:",
        "  how-to:",
        '    title: "How to handle this fault"',
        "    body: >-",
        "      Run the line test first. If the fault is outside the property, book the first",
        "      engineer slot and raise a credit for each full day without service.",
        "    keywords: [line test, engineer, credit]",
        "intents:",
    ]
    for i in range(8):
        out += [
            f"  step_{i}:",
            "    examples:",
            f'      - "I will take care of step {i} for you right now"',
            f'      - "Let me sort out step {i} on the system"',
            f'      - "I am going to handle step {i} while you are on the line"',
            f'      - "Step {i} is something I can do for you today"',
            "    not:",
            f'      - "I cannot do step {i} for you"',
        ]
    out += ["start: stage_0", "stages:"]
    for s in range(STAGES - 2):
        nxt = f"stage_{s + 1}" if s + 1 < STAGES - 2 else "resolved"
        out += [
            f"  stage_{s}:",
            "    customer:",
            f'      - say: "Stage {s}: I am really not happy about any of this, you know."',
            "        min_mood: 6",
            f'      - say: "Stage {s}: okay, so what happens next?"',
            "    responses:",
            f"      - intent: step_{s % 8}",
            f"        to: {nxt}",
            "        mood: -1",
            '        say: "Right. Go on."',
            f"      - intent: step_{(s + 1) % 8}",
            "        requires:",
            f"          actions: [action_{s % 4}]",
            "        otherwise:",
            '          say: "You have not even checked yet."',
            "          mood: 1",
            f"        to: {nxt}",
            "    fallback:",
            "      say:",
            '        - say: "That is not an answer."',
            "          min_mood: 7",
            '        - say: "Sorry, what do you mean?"',
            "      mood: 1",
        ]
    out += [
        "  resolved:",
        "    ending: resolved",
        '    customer: "Okay. Thanks, that is more than I got last time."',
        "  escalated:",
        "    ending: escalated",
        '    customer: "(Team leader) I have the details, I will take it from here."',
        "anywhere:",
        "  - intent: escalate",
        "    to: escalated",
        "escalation:",
        "  policy: allowed",
        '  when: "Only if the customer insists on a manager."',
        "expectations:",
        "  key_facts: [fact_0, fact_1]",
        "  required_actions: [action_0]",
        '  timeline: "Engineer on Thursday between 8am and 1pm"',
        "  forbidden_promises:",
        '    - "It will be fixed today"',
        "  wrap_up_must_record: [fact_0, fact_2]",
    ]
    return "\n".join(out) + "\n"


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (workers included)."""
    me = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    args = ap.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="callsim-bench-") as tmp,
        tempfile.TemporaryDirectory(prefix="callsim-pyc-") as pyc,
    ):
        root = Path(tmp)
        sizes = []
        texts = []
        for n in range(args.files):
            text = scenario(n)
            texts.append(text)
            sizes.append(len(text.encode()))
            (root / f"generated-{n:04d}.yaml").write_text(text, encoding="utf-8")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(
            f"files: {args.files}; {STAGES} stages each; "
            f"mean size {sum(sizes) / len(sizes) / 1024:.1f} KiB; {cores} cores; "
            f"load average {os.getloadavg()[0]:.1f}"
        )

        import callsim.engine.lint  # noqa: F401  (imported by the first lint, not timed)

        files, missing = collect([root])
        assert not missing and len(files) == args.files, (missing, len(files))
        timings: dict[str, tuple[float, float]] = {}

        def timed(label: str, run) -> object:
            start, cpu = time.perf_counter(), _cpu()
            out = run()
            timings[label] = (time.perf_counter() - start, _cpu() - cpu)
            return out

        datas = timed(
            "bare yaml.load(CSafeLoader), one core",
            lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts],
        )
        timed(
            "bare Scenario.model_validate, one core",
            lambda: [Scenario.model_validate(d) for d in datas],
        )
        for label, lint in (("errors and lint warnings", True), ("errors only", False)):
            problems = timed(
                f"in-process, {label}",
                lambda lint=lint: validate_files(collect([root])[0], warnings=lint),
            )
            errors = [p for p in problems if p.severity == "error"]
            assert not errors, "\n".join(map(str, errors[:5]))
            one = timed(
                f"in-process, {label}, one core",
                lambda lint=lint: check_files(collect([root])[0], warnings=lint, jobs=1),
            )
            assert one == problems
        env = {**os.environ, "PYTHONPYCACHEPREFIX": pyc}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules are read compiled
        command = [sys.executable, "-m", "callsim", "validate"]
        warm = subprocess.run([*command, str(files[0])], capture_output=True, env=env)
        assert warm.returncode == 0, warm.stdout[-2000:] + warm.stderr[-2000:]
        for label, flags in (("errors and lint warnings", []), ("errors only", ["--errors-only"])):
            done = timed(
                f"callsim validate, {label}",
                lambda flags=flags: subprocess.run(
                    [*command, *flags, str(root)], capture_output=True, text=True, env=env
                ),
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            print(f"  callsim validate {' '.join(flags)}: {done.stdout.strip().splitlines()[-1]}")
        print(f"{'':52s} {'wall':>7s} {'CPU':>7s}")
        for label, (wall, cpu) in timings.items():
            print(f"{label:52s} {wall:6.2f}s {cpu:6.2f}s")
        full = timings["callsim validate, errors and lint warnings"][0]
        quick = timings["callsim validate, errors only"][0]
        print(
            f"target <= 3 s (default, with lint): {'met' if full <= 3 else 'MISSED'} ({full:.2f} s)"
        )
        print(f"errors only (--errors-only): {quick:.2f} s")
        summary = [
            (f"validate {len(files)} scenarios", "<= 3 s", f"{full:.2f} s", full <= 3),
            (
                f"validate {len(files)} scenarios, --errors-only",
                "<= 3 s",
                f"{quick:.2f} s",
                quick <= 3,
            ),
        ]
        print("SUMMARY " + json.dumps({"bench": "validate_many", "figures": summary}))


if __name__ == "__main__":
    main()
