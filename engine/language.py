"""Language basics shared by the engine, the tagger and the grader, so they read a reply alike."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: A sentence that asks even without a question mark ("what make is the laptop").
_ASKING_START = re.compile(
    r"^(?:(?:and|so|but|just|okay|ok|right|sorry|also|then)\b[\s,]*)*"
    r"(?:what|when|where|which|who|whose|why|how|is|are|was|were|do|does|did|has|have|had"
    r"|can|could|would|will|shall|should|may|any|tell me|talk me through|walk me through)\b",
    re.IGNORECASE,
)


def question_part(text: str) -> str:
    """The sentences of a reply that ask something (a '?' or a question opening), joined."""
    sentences = _SENTENCE_END.split(text.strip())
    return " ".join(s for s in sentences if s.rstrip().endswith("?") or _ASKING_START.match(s))
