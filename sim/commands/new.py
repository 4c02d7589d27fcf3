# ruff: noqa: E501  (the templates are files as a trainer sees them; their lines stay whole)
"""`callsim new PATH`: a valid, commented scenario to start from, with passing test cases."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe

SCENARIO = """\
# yaml-language-server: $schema={schema}
# A starter scenario written by `callsim new`: a complete, valid call to change into your own.
# Check it as you go:
#   callsim validate {name}    errors and warnings, each at FILE:LINE:COL
#   callsim graph {name}       the stages and what leads between them
#   callsim explore {name}     many automatic calls: stages or endings never reached, loops
#   callsim test {name}        plays the cases in {tests}
#   callsim preview {name}     the app on this call, restarted each time you save
# The format: docs/scenario-format.md. A walk-through: docs/authoring.md.
format: 1
id: {id}
title: "{title}"
category: {category}   # complaint outage billing technical cancellation account sales other
difficulty: {difficulty}           # 1 (gentle) to 5 (hardest)
version: "0.1"
target_seconds: 360           # the handling time to aim for

briefing: >-
  Sam Taylor is calling because the router ordered on Monday has not arrived.
goal: >-
  Find out what the delay has cost Sam, check the order, put it right and say honestly when the
  router will arrive.

customer:
  name: Sam Taylor
  persona: >-
    Works shifts and took a day off to wait in for the delivery. Polite, but short on patience
    and tired of being told to wait.
  mood: 6                     # opening frustration: 0 calm to 10 furious
  patience: 2                 # replies that get nowhere before each one costs double
  demands_manager_at: 9
  hangs_up_at: 10

# What the advisor sees on the account panel.
account:
  Name: Sam Taylor
  Order: "RT-4411: router, ordered Monday, standard delivery"

# Facts the customer only tells an advisor who asks (`asked_by`: questions that uncover them).
facts:
  took_day_off:
    summary: took a day off work to wait in
    says: "I took a day off work to wait in for it. Nobody came, and nobody rang."
    asked_by:
      - "How has this affected you?"
      - "Did you have to wait in for it?"
      - "What has the delay meant for you?"
      - "Have you had to take time off for this?"
    keywords: [day off, waited in, wait in]

# Tools the advisor can use: `/action NAME` in a script, the Actions panel in the app.
actions:
  track_order:
    label: Track the order
    result: "Order RT-4411 held at the depot since Tuesday: address label damaged. Can be re-sent."
  resend:
    label: Re-send the order
    takes: delivery day
    result: "Re-sent by tracked courier for tomorrow, 7am to 1pm. Confirmation text sent."
    mood: -0.5

knowledge:
  held-parcels:
    title: "Parcels held at the depot"
    body: >-
      A parcel with a damaged label is held at the depot. Re-send it by tracked courier for the
      next working day (7am to 1pm) and tell the customer the slot. Never promise a time that is
      not on the booking.
    keywords: [delivery, depot, courier, label]

# The scenario's own intents; stages may also name shared ones (greeting, acknowledge,
# identity_check, escalate, anything_else, close, ...) from scenarios/intents/.
intents:
  explain_cause:
    description: Says what went wrong, from the tracking, without blaming the customer.
    examples:
      - "The tracking shows it's been held at the depot because the label was damaged"
      - "It's stuck at our depot because the address label got damaged"
      - "I can see it's been sitting at the depot since Tuesday"
      - "the courier couldn't read the label, so it never left the depot"
      - "looks like a damaged label meant it was held back at the depot"
      - "it's at the depot: the label was torn, so it couldn't go out"
  rebook:
    description: Re-sends the router and gives the real delivery slot.
    examples:
      - "I've re-sent it by tracked courier for tomorrow between 7 and 1"
      - "It's been sent again and will arrive tomorrow morning"
      - "I've booked it to come tomorrow between 7am and 1pm"
      - "a new one's on its way, tracked, arriving tomorrow morning"
      - "I've ordered a replacement and it's due tomorrow, seven till one"
      - "you'll have it tomorrow before 1pm, I've sent another by courier"
  brush_off:
    description: Tells the customer to wait instead of finding out.
    examples:
      - "It'll probably turn up in a day or two"
      - "Just give it a few more days"
      - "Deliveries are sometimes late, there's nothing I can do"
      - "these things take time, just wait a bit longer"
      - "it's probably on a van somewhere, hang on till the end of the week"
      - "couriers are busy at the moment, you'll just have to be patient"

start: opening
stages:
  opening:
    customer:                 # variants by mood: the first whose range holds the mood is said
      - say: "I've waited all week for this router and it still hasn't come. Where is it?"
        min_mood: 6
      - say: "Hi. I'm ringing about a router I ordered. It hasn't arrived."
    responses:
      - intent: acknowledge
        to: checking
        mood: -1
        say: "Thank you. It's been a very long week of waiting."
      - intent: greeting
        say: "Yes, hello. My router. It hasn't come."
      - intent: identity_check
        say: "Sam Taylor, order RT-4411."
      - intent: brush_off
        to: brushed_off
        mood: 2
    fallback:
      say: "Sorry, can you just tell me where my router is?"
      mood: 1
  checking:
    customer: "So where is it?"
    responses:
      - intent: explain_cause
        requires: {{actions: [track_order]}}
        otherwise:
          say: "Have you actually looked? It sounds like you're guessing."
          mood: 1
        to: fixing
        mood: -0.5
      - intent: brush_off
        to: brushed_off
        mood: 2
    fallback:
      say: "That doesn't tell me where it is."
      mood: 1
  fixing:
    customer:
      - say: "A damaged label. Brilliant. So when do I actually get it?"
        min_mood: 5
      - say: "Right. So when will it come?"
    responses:
      - intent: rebook
        requires: {{actions: [resend]}}
        otherwise:
          say: "Have you actually sent it again, or are you hoping?"
          mood: 1
        to: wrap
        mood: -1
      - intent: brush_off
        to: brushed_off
        mood: 2
    fallback:
      say: "But when will I get it?"
      mood: 1
  wrap:
    customer:
      - say: "Tomorrow morning. Fine. It had better turn up this time."
        min_mood: 4
      - say: "Tomorrow morning. Okay, thank you."
    responses:
      - intent: anything_else
        to: resolved
      - intent: close
        to: resolved
    fallback:
      say: "Is that everything?"
      mood: 0.5
      to: resolved
  handover:
    customer: "(Team leader) Hi, it's Chris. What do I need to know before I speak to Sam?"
    handover: true            # the trainee's reply here is the handover summary
    fallback:
      say: "(Team leader) Thanks, I'll take it from here."
      mood: 0
      to: escalated
  resolved:
    ending: resolved
    customer: "Thanks. Bye."
  escalated:
    ending: escalated
    customer: "(Team leader) Hello Sam, I've got the details. Let's get this sorted."
  brushed_off:
    ending: unresolved
    customer: "Forget it. I'll cancel and buy one in a shop."

# Responses every stage (not an ending) also listens for, after its own.
anywhere:
  - intent: escalate
    to: handover

escalation:
  policy: allowed
  when: "Only if Sam insists on a manager: the delivery can be put right on this call."

# What the grade checks beyond the rubric's general rules.
expectations:
  key_facts: [took_day_off]
  required_actions: [track_order, resend]
  timeline: "Tomorrow between 7am and 1pm"
  forbidden_promises:
    - "It will definitely arrive today"
    - "I guarantee it will come tomorrow"
  wrap_up_must_record: [took_day_off]
"""

TESTS = """\
# yaml-language-server: $schema={schema}
# Test cases for {name}: `callsim test {name}` plays each script as
# `callsim run --script` does and checks what it expects. Add a case for every route you care
# about; keep a good and a poor advisor far apart.
format: 1
cases:
  good-advisor:
    description: Owns the delay, finds out what it cost Sam, checks, re-sends and gives the slot.
    script: |
      Hello Sam, I'm really sorry your router hasn't arrived, that's so frustrating after waiting in. Let me look into this for you right now.
      How has this affected you?
      I'm sorry you lost a day off work waiting for it. Let me track the order.
      /action track_order
      The tracking shows it's been held at the depot because the label was damaged, so that's our mistake, not yours.
      /action resend tomorrow
      I've re-sent it by tracked courier for tomorrow between 7 and 1, and you'll get a confirmation text.
      Is there anything else I can help you with today?
      /notes Router RT-4411 not delivered; cust took a day off to wait in. Held at depot (damaged label). Re-sent tracked for tomorrow 7am-1pm, text confirmation sent.
    expect:
      outcome: resolved
      stage: resolved
      revealed: [took_day_off]
      actions: [track_order, resend]
      score: {{min: 70}}
      flags: []
  poor-advisor:
    description: Tells Sam to wait a few more days without checking anything.
    script: |
      Hi, can I take your account number?
      It'll probably turn up in a day or two.
      /notes Router not arrived. Told to wait.
    expect:
      outcome: unresolved
      stage: brushed_off
      not_revealed: [took_day_off]
      score: {{max: 40}}
gaps:
  - better: good-advisor
    worse: poor-advisor
    by_at_least: 30
"""

CATEGORIES = (
    "complaint",
    "outage",
    "billing",
    "technical",
    "cancellation",
    "account",
    "sales",
    "other",
)


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new",
        help="write a starter scenario (and its test file) to change into your own",
        description=(
            "Write a valid, commented scenario at PATH and a starter test file beside it "
            "(PATH-stem.tests.yaml) with a good and a poor advisor case that pass. Refuses to "
            "overwrite either file unless --force."
        ),
    )
    p.add_argument("path", metavar="PATH", help="the scenario file to write (.yaml)")
    p.add_argument("--category", choices=CATEGORIES, default="complaint")
    p.add_argument(
        "--difficulty",
        type=int,
        choices=range(1, 6),
        default=2,
        metavar="N",
        help="1 (gentle) to 5 (hardest); default 2",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=run)


def scenario_id(stem: str) -> str:
    """An id in the format's rules, from a file name."""
    ident = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    if not ident or not ident[0].isalpha():
        ident = f"scenario-{ident}".rstrip("-")
    return ident[:64].rstrip("-_")


def schema_reference(target: Path) -> tuple[str, Path | None]:
    """The modeline's schema path, relative to the new file when that works.

    Points at the installed callsim's docs/scenario.schema.json; where that file is not
    installed (or sits on another drive), the schema is written beside the new file instead,
    and the path of that file is returned for writing.
    """
    from callsim.engine.loader import BUNDLED_SCENARIOS

    installed = BUNDLED_SCENARIOS.parent / "docs" / "scenario.schema.json"
    if installed.is_file():
        try:
            rel = os.path.relpath(installed, target.resolve().parent)
        except ValueError:  # another drive (Windows)
            return installed.as_uri(), None
        return Path(rel).as_posix(), None
    local = target.parent / "scenario.schema.json"
    return "scenario.schema.json", local


def tests_schema_reference(target: Path) -> tuple[str, Path]:
    return "scenario-tests.schema.json", target.parent / "scenario-tests.schema.json"


def run(args: argparse.Namespace) -> int:
    import json

    from callsim.sim.commands.schema import scenario_schema
    from callsim.sim.scenario_tests import tests_path_for, tests_schema

    path = Path(args.path)
    if not path.name.lower().endswith((".yaml", ".yml")) or path.name.lower().endswith(
        (".tests.yaml", ".tests.yml")
    ):
        print(
            f"callsim new: {terminal_safe(str(path))}: a scenario file name ends in .yaml "
            "(and not .tests.yaml)",
            file=sys.stderr,
        )
        return 2
    tests = tests_path_for(path)
    for f in (path, tests):
        if f.exists() and not args.force:
            print(
                f"callsim new: {terminal_safe(str(f))} already exists; use --force to overwrite",
                file=sys.stderr,
            )
            return 1
    ident = scenario_id(path.stem)
    schema, write_schema = schema_reference(path)
    tests_schema_ref, tests_schema_file = tests_schema_reference(path)
    words = ident.replace("-", " ").replace("_", " ")
    fields = {
        "schema": schema,
        "name": path.name,
        "tests": tests.name,
        "id": ident,
        "title": words[:1].upper() + words[1:],
        "category": args.category,
        "difficulty": args.difficulty,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SCENARIO.format(**fields), encoding="utf-8")
        tests.write_text(TESTS.format(**{**fields, "schema": tests_schema_ref}), encoding="utf-8")
        written = [path, tests]
        extra = [(tests_schema_file, tests_schema())]
        if write_schema is not None:
            extra.append((write_schema, scenario_schema()))
        for f, data in extra:
            if not f.exists() or args.force:
                f.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
                written.append(f)
    except OSError as exc:
        print(
            f"callsim new: cannot write {terminal_safe(str(exc.filename))}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    for f in written:
        print(f"wrote {terminal_safe(str(f))}")
    print(
        f"next: callsim validate {terminal_safe(str(path))} && "
        f"callsim test {terminal_safe(str(path))}"
    )
    return 0
