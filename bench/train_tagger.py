"""Train the tagger's learned second opinion (grading/learned.py) and say how well it does.

Reads the labelled corpus in grading/data/corpus/ (one file per industry). First, leave one
industry out: train on nine, score macro-F1 on the tenth, for the rules alone and for the rules
with the model, so the figure is not a fit to one domain. Then trains on all ten and, with
`--write`, writes grading/data/tagger_model.json. Held-out industries (tests/grading/heldout,
never trained or tuned on) are scored last when `--heldout` is given.

    python bench/train_tagger.py [--write] [--heldout] [--skip-folds]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from callsim.engine.models import TAG_NAMES
from callsim.grading import learned
from callsim.grading.tagger import tag_by_rules

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "grading" / "data" / "corpus"
HELDOUT = ROOT / "tests" / "grading" / "heldout"
#: Labelled by TAGS.md too, and always trained on (never left out, so not measured here).
ALWAYS = [ROOT.parent / "shared" / "data" / "dev-utterances.jsonl",
          ROOT / "tests" / "grading" / "fixtures" / "tagger_cases.jsonl"]


def read_rows(paths) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def macro_f1(gold: list[frozenset[str]], pred: list[frozenset[str]]) -> tuple[float, dict]:
    per = {}
    for t in TAG_NAMES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if t not in g and t in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t not in p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[t] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / len(per), per


def prepared(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["_rules"] = tag_by_rules(r["text"], r.get("customer")).tags
        r["_x"] = learned.features(r["text"], r.get("customer"), r["_rules"])
    return rows


def read(model: learned.TagModel, row: dict) -> frozenset[str]:
    """The tags the tagger would give with this model (whole reply and sentence by sentence)."""
    text, customer = row["text"], row.get("customer")

    def rules(part: str) -> tuple[str, ...]:
        return row["_rules"] if part == text else tag_by_rules(part, customer).tags

    return model.read(text, customer, rules)


def fit(rows: list[dict]) -> learned.TagModel:
    return learned.train([(r["_x"], frozenset(r["tags"])) for r in rows])


def score(model: learned.TagModel, rows: list[dict]) -> tuple[float, float, dict, dict]:
    gold = [frozenset(r["tags"]) for r in rows]
    by_rules = [frozenset(r["_rules"]) for r in rows]
    by_model = [read(model, r) for r in rows]
    mr, per_r = macro_f1(gold, by_rules)
    mm, per_m = macro_f1(gold, by_model)
    return mr, mm, per_r, per_m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write grading/data/tagger_model.json")
    ap.add_argument("--heldout", action="store_true", help="also score the held-out industries")
    ap.add_argument("--skip-folds", action="store_true", help="no leave-one-industry-out")
    args = ap.parse_args()
    corpus = prepared(read_rows(sorted(CORPUS.glob("*.jsonl"))))
    always = prepared(read_rows([p for p in ALWAYS if p.exists()]))
    industries = sorted({r["industry"] for r in corpus})
    print(f"corpus: {len(corpus)} replies, {len(industries)} industries; "
          f"{len(always)} more always trained on (the dev set and the tagger's own cases)")
    trust: dict[str, str] = {}
    if not args.skip_folds:
        print(f"\n{'left out':<16}{'rules':>8}{'rules+model':>13}")
        totals = [0.0, 0.0]
        pooled: dict[str, list[frozenset[str]]] = {"gold": [], "rules": [], "model": []}
        for ind in industries:
            model = fit([r for r in corpus if r["industry"] != ind] + always)
            held = [r for r in corpus if r["industry"] == ind]
            mr, mm, _pr, _pm = score(model, held)
            totals[0] += mr
            totals[1] += mm
            print(f"{ind:<16}{mr:>8.3f}{mm:>13.3f}")
            pooled["gold"] += [frozenset(r["tags"]) for r in held]
            pooled["rules"] += [frozenset(r["_rules"]) for r in held]
            pooled["model"] += [read(model, r) for r in held]
        n = len(industries)
        print(f"{'mean':<16}{totals[0] / n:>8.3f}{totals[1] / n:>13.3f}")
        # per tag, whose reading to trust: the best F1 over every left-out industry together
        either = [a | b for a, b in zip(pooled["rules"], pooled["model"], strict=True)]
        _m, by_rules = macro_f1(pooled["gold"], pooled["rules"])
        _m, by_model = macro_f1(pooled["gold"], pooled["model"])
        _m, by_either = macro_f1(pooled["gold"], either)
        print(f"\n{'tag':<18}{'rules':>7}{'model':>7}{'either':>8}  trusted")
        for t in TAG_NAMES:
            scores = {"model": by_model[t], "rules": by_rules[t], "either": by_either[t]}
            trust[t] = max(scores, key=scores.__getitem__)
            print(f"{t:<18}{by_rules[t]:>7.2f}{by_model[t]:>7.2f}{by_either[t]:>8.2f}  {trust[t]}")
    started = time.perf_counter()
    model = learned.with_trust(fit(corpus + always), trust)
    print(f"\ntrained on all {len(corpus)} in {time.perf_counter() - started:.1f} s; "
          f"{len(model.weights)} features kept")
    if args.heldout:
        rows = prepared(read_rows(sorted(HELDOUT.glob("*.jsonl"))))
        mr, mm, per_r, per_m = score(model, rows)
        print(f"\nheld-out industries ({len(rows)} replies): rules {mr:.3f}, rules+model {mm:.3f}")
        for t in TAG_NAMES:
            print(f"  {t:<18}{per_r[t]:>6.2f}{per_m[t]:>8.2f}")
        print("SUMMARY " + json.dumps({"bench": "train_tagger", "figures": [
            ["tagger macro-F1, held-out industries", ">= 0.92", f"{mm:.3f}", mm >= 0.92],
        ]}))
    if args.write:
        learned.MODEL_FILE.write_text(model.to_json() + "\n", encoding="utf-8")
        size = learned.MODEL_FILE.stat().st_size
        print(f"wrote {learned.MODEL_FILE.relative_to(ROOT)} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
