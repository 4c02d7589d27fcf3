"""Saved calls as xAPI 1.0.3 statements, for a learning management system's record store.

Each ended call gives a `completed` statement (how the call ended, how long it took) and, when
it was graded, a `scored` statement (the total, scaled and raw, success against the pass mark,
each rubric dimension as a result extension). The mapping is in docs/lms.md.

Statement ids are uuid5 of the call id (and, for `scored`, of the score being sent), and every
field comes from the saved call, never from the clock: exporting the same call twice gives the
same statements, so posting them again is idempotent (a record store keeps the first and
answers 204 or 409 to the copy). A mentor's later correction changes the score, so it goes out
as a new `scored` statement rather than clashing with the one already posted.

The actor is the trainee's name as an account on a home page the team names (`homepage`, the
system where that name is the trainee's login); an e-mail address is never made up.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from callsim.engine.transcript import Transcript
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade

#: Namespace of every statement and registration id callsim makes (uuid5 of a fixed name, so
#: it never changes between versions).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:callsim:xapi")
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_SCORED = "http://adlnet.gov/expapi/verbs/scored"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/simulation"
#: Extension keys are IRIs; callsim's are URNs (no web address of ours to promise).
EXT = "urn:callsim:xapi:"
EXT_SCENARIO_VERSION = EXT + "scenario-version"
EXT_OUTCOME = EXT + "outcome"
EXT_MODE = EXT + "mode"
EXT_CALL_ID = EXT + "call-id"
EXT_MENTOR_ADJUSTED = EXT + "mentor-adjusted"
EXT_AUTO_SCORE = EXT + "auto-score"
EXT_PASS_MARK = EXT + "pass-mark"
EXT_DIMENSION = EXT + "dimension:"
LANG = "en-US"


class XapiProblem(ValueError):
    """A call that cannot become a statement (no trainee, not ended), or a bad option."""


def homepage_problem(url: str) -> str | None:
    """Why `url` cannot be an account home page (an absolute http(s) address); None if it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{url}' is not an http(s) address such as https://lms.example.org"
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return f"'{url}' holds spaces or control characters"
    return None


def duration(seconds: float) -> str:
    """ISO 8601 duration as xAPI wants it: PT[nH][nM]n.nnS (to the hundredth of a second)."""
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    secs = f"{rest // 100}" if rest % 100 == 0 else f"{rest / 100:.2f}".rstrip("0")
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    return out + f"{secs}S"


def activity_id(scenario_id: str) -> str:
    """The scenario as an activity: one id across its versions (the version is an extension)."""
    return "urn:callsim:scenario:" + quote(scenario_id, safe="-._~")


def _ext_key(dimension: str) -> str:
    return EXT_DIMENSION + quote(dimension, safe="-._~")


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 4)


@dataclass(frozen=True)
class Options:
    """What the team decides: whose accounts the trainee names are, and the pass mark
    (None: the rubric's 'fair' boundary, which the grade's band already uses)."""

    homepage: str
    pass_mark: float | None = None


def statements(
    transcript: Transcript,
    grade: Grade | None,
    corrections: Corrections | None,
    options: Options,
) -> list[dict[str, Any]]:
    """The call's statements: `completed`, then `scored` when graded. Raises XapiProblem for a
    call with no trainee name (no actor) or one that never ended."""
    t = transcript
    if not t.trainee:
        raise XapiProblem("saved without a trainee name, so there is no learner to send it for")
    if t.outcome is None or not t.ended_at:
        raise XapiProblem("not finished (resume it first: callsim resume ID)")
    actor = {
        "objectType": "Agent",
        "name": t.trainee,
        "account": {"homePage": options.homepage, "name": t.trainee},
    }
    title = t.scenario_title or t.scenario_id
    activity = {
        "objectType": "Activity",
        "id": activity_id(t.scenario_id),
        "definition": {
            "name": {LANG: title},
            "description": {
                LANG: f"callsim scenario {t.scenario_id}, version {t.scenario_version}"
            },
            "type": ACTIVITY_TYPE,
            "extensions": {EXT_SCENARIO_VERSION: t.scenario_version},
        },
    }
    registration = str(uuid.uuid5(NAMESPACE, f"call:{t.call_id}"))
    context = {
        "registration": registration,
        "platform": "callsim",
        "language": LANG,
        "extensions": {
            EXT_CALL_ID: t.call_id,
            EXT_MODE: t.mode,
            EXT_SCENARIO_VERSION: t.scenario_version,
        },
    }
    spent = duration(t.duration_seconds)
    outcome = str(getattr(t.outcome, "value", t.outcome))  # the id, as scenario files say it
    completed = {
        "id": str(uuid.uuid5(NAMESPACE, f"completed:{t.call_id}")),
        "actor": actor,
        "verb": {"id": VERB_COMPLETED, "display": {LANG: "completed"}},
        "object": activity,
        "result": {
            "completion": True,
            "duration": spent,
            "extensions": {EXT_OUTCOME: outcome},
        },
        "context": context,
        "timestamp": t.ended_at,
    }
    out = [completed]
    if grade is None:
        return out
    from callsim.grading.adjusted import Corrections, adjust, rubric_bands

    adjusted = adjust(grade, corrections or Corrections())
    pass_mark = options.pass_mark if options.pass_mark is not None else rubric_bands(grade).fair
    dims = {_ext_key(d.id): adjusted.dimension_score(d.id) for d in grade.dimensions}
    result_ext: dict[str, Any] = {k: (None if v is None else _number(v)) for k, v in dims.items()}
    result_ext[EXT_OUTCOME] = outcome
    result_ext[EXT_PASS_MARK] = _number(pass_mark)
    if adjusted.adjusted:
        result_ext[EXT_MENTOR_ADJUSTED] = True
        result_ext[EXT_AUTO_SCORE] = grade.score
    score = adjusted.score
    # the id names what is sent: the same grade posts as the same statement, a corrected one
    # as a new statement
    fingerprint = json.dumps([score, sorted(result_ext.items())], sort_keys=True)
    scored = {
        "id": str(uuid.uuid5(NAMESPACE, f"scored:{t.call_id}:{fingerprint}")),
        "actor": actor,
        "verb": {"id": VERB_SCORED, "display": {LANG: "scored"}},
        "object": activity,
        "result": {
            "score": {"scaled": _number(score / 100), "raw": _number(score), "min": 0, "max": 100},
            "success": score >= pass_mark,
            "completion": True,
            "duration": spent,
            "extensions": result_ext,
        },
        "context": context,
        "timestamp": t.ended_at,
    }
    out.append(scored)
    return out


def to_xapi(
    calls: Sequence[tuple[Transcript, Grade | None, Corrections | None]], options: Options
) -> tuple[str, list[tuple[str, str]]]:
    """(the statements of every call that can be sent, as one JSON array to POST; the calls
    left out, as (call id, why))."""
    out: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    for t, grade, corrections in calls:
        try:
            out.extend(statements(t, grade, corrections, options))
        except XapiProblem as exc:
            skipped.append((t.call_id, str(exc)))
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n", skipped
