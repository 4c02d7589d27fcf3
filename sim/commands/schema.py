"""`callsim schema`: the scenario format's JSON Schema, from the models the loader uses."""

from __future__ import annotations

import argparse
import json


def scenario_schema() -> dict:
    from callsim.engine.models import Scenario

    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://callsim.dev/schema/scenario-v1.json"
    schema["title"] = "callsim scenario (format 1)"
    return schema


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of scenario files",
        description="Print the JSON Schema of the scenario format (for editor autocompletion).",
    )
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument(
        "--tests", action="store_true", help="the schema of scenario test files (*.tests.yaml)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "tests", False):
        from callsim.sim.scenario_tests import tests_schema

        schema = tests_schema()
    else:
        schema = scenario_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(
                f"callsim schema: cannot write {args.output}: {exc.strerror}",
                file=__import__("sys").stderr,
            )
            return 1
    else:
        print(text, end="")
    return 0
