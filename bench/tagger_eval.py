"""Score `callsim tag` against labelled JSON lines: precision, recall and F1 per tag, macro-F1.

    python bench/tagger_eval.py [FILE ...] [--errors]

FILE defaults to the shared dev set (../shared/data/dev-utterances.jsonl next to the repo) and
the tagger's own held-out cases (tests/grading/fixtures/tagger_cases.jsonl). The tagger runs as
a subprocess (`python -m callsim tag`), exactly as a user would run it. `--errors` lists the lines
it got wrong, to study: fix general rules, never key a rule to one sentence.
Last, how many replies careless typing (`learned.careless`: lowercase, no apostrophes or sentence
marks, commas kept) and no punctuation at all give other tags, and the in-process throughput on
one core, each for the rules with the learned model (`tag_reply`, the default that calls are
graded with) and the rules alone (`tag_by_rules`, `callsim tag --rules`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT.parent / "shared/data/dev-utterances.jsonl"
OWN_SET = ROOT / "tests/grading/fixtures/tagger_cases.jsonl"
TARGET_MACRO = 0.90
TARGET_MIN = 0.80



def load(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row.setdefault("id", f"{path.name}:{n}")
            rows.append(row)
    return rows


def run_cli(rows: list[dict]) -> list[dict]:
    """`callsim tag` outputs for `rows`, in order."""
    payload = "".join(
        json.dumps({"id": r["id"], "text": r["text"], "customer": r.get("customer")}) + "\n"
        for r in rows
    )
    proc = subprocess.run(
        [sys.executable, "-m", "callsim", "tag"],
        input=payload.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"callsim tag failed ({proc.returncode}):\n{proc.stderr.decode(errors='replace')}")
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
    if len(out) != len(rows) or any(o.get("id") != r["id"] for o, r in zip(out, rows, strict=True)):
        sys.exit("callsim tag did not answer one line per input line, in order")
    return out


def score(rows: list[dict], outputs: list[dict], tags: tuple[str, ...]) -> dict[str, tuple]:
    """tag -> (support, precision, recall, f1)."""
    result = {}
    for tag in tags:
        tp = fp = fn = 0
        for row, out in zip(rows, outputs, strict=True):
            gold = tag in row["tags"]
            got = tag in out.get("tags", ())
            tp += gold and got
            fp += got and not gold
            fn += gold and not got
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        result[tag] = (tp + fn, p, r, f)
    return result


def report(path: Path, show_errors: bool) -> tuple[float, float]:
    from callsim.engine.models import TAG_NAMES

    rows = load(path)
    outputs = run_cli(rows)
    table = score(rows, outputs, TAG_NAMES)
    print(f"\n{path} ({len(rows)} replies)")
    print(f"{'tag':<18}{'support':>8}{'prec':>8}{'recall':>8}{'F1':>8}")
    for tag, (support, p, r, f) in table.items():
        flag = "  < target" if f < TARGET_MIN else ""
        print(f"{tag:<18}{support:>8}{p:>8.2f}{r:>8.2f}{f:>8.2f}{flag}")
    macro = sum(f for *_, f in table.values()) / len(table)
    worst = min(f for *_, f in table.values())
    ok = macro >= TARGET_MACRO and worst >= TARGET_MIN
    print(f"{'macro-F1':<18}{'':>8}{'':>8}{'':>8}{macro:>8.3f}   "
          f"(target >= {TARGET_MACRO}, none below {TARGET_MIN}: {'met' if ok else 'NOT met'})")
    if show_errors:
        wrong = [
            (r, o)
            for r, o in zip(rows, outputs, strict=True)
            if set(r["tags"]) != set(o.get("tags", ()))
        ]
        print(f"\n{len(wrong)} misclassified:")
        for row, out in wrong:
            gold, got = set(row["tags"]), set(out.get("tags", ()))
            print(f"- {row['id']}: {row['text']!r}")
            if row.get("customer"):
                print(f"    customer: {row['customer']!r}")
            print(f"    missing: {sorted(gold - got)}  extra: {sorted(got - gold)}")
            for tag in sorted(got - gold):
                print(f"    {tag} from: {out.get('evidence', {}).get(tag)!r}")
    return macro, worst


def throughput(paths: list[Path]) -> None:
    """Replies per second of `tag_reply`, in process, measured in CPU time of this one core
    (so other work on the machine does not distort it)."""
    rows = [r for p in paths for r in load(p)]
    if not rows:
        return
    print()
    for name, tag in _READINGS():
        start = time.process_time()
        for r in rows:
            tag(r["text"], r.get("customer"))
        cold = len(rows) / max(time.process_time() - start, 1e-9)
        done, start = 0, time.process_time()
        while time.process_time() - start < 2.0:
            for r in rows:
                tag(r["text"], r.get("customer"))
            done += len(rows)
        warm = done / (time.process_time() - start)
        print(f"throughput, {name}: {warm:,.0f} replies/s in-process on one core, CPU time "
              f"(first pass, cold caches: {cold:,.0f} replies/s)")


def _READINGS():  # noqa: N802
    """The two readings compared: the rules with the model (the default, what calls are graded
    with) and the rules alone (`callsim tag --rules`)."""
    from callsim.grading.tagger import tag_by_rules, tag_reply

    return (("graded (rules + model)", tag_reply), ("rules alone", tag_by_rules))


def careless_changes(paths: list[Path]) -> None:
    """How many replies careless typing (`learned.careless`: lowercase, no apostrophes or
    sentence marks, commas kept) and no punctuation at all (`learned.unpunctuated`) give other
    tags."""
    from callsim.grading.learned import careless, unpunctuated

    rows = [r for p in paths for r in load(p)]
    if not rows:
        return
    for name, tag in _READINGS():
        for style, render in (("careless", careless), ("unpunctuated", unpunctuated)):
            moved = sum(
                1 for r in rows
                if tag(r["text"], r.get("customer")).tags
                != tag(render(r["text"]), r.get("customer")).tags
            )
            print(f"{style} typing changes the tags of {moved / len(rows):.1%} of these replies "
                  f"({name})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="labelled JSON lines (default: the dev set and the own cases)")
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    args = parser.parse_args(argv)
    files = args.files or [DEV_SET, OWN_SET]
    missing = [f for f in files if not f.is_file()]
    for f in missing:
        hint = " (the shared dev set lives next to the repo, in ../shared/data/)" \
            if f == DEV_SET else ""
        print(f"tagger_eval: no such file: {f}{hint}", file=sys.stderr)
    present = [f for f in files if f.is_file()]
    summary = []
    for f in present:
        macro, worst = report(f, args.errors)
        ok = macro >= TARGET_MACRO and worst >= TARGET_MIN
        target = f">= {TARGET_MACRO}, each >= {TARGET_MIN}"
        shown = f"{macro:.3f} (min {worst:.2f})"
        summary.append((f"tagger macro-F1 ({f.name})", target, shown, ok))
    careless_changes(present)
    throughput(present)
    print("SUMMARY " + json.dumps({"bench": "tagger_eval", "figures": summary}))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
