"""The tagger's patterns that start with a word boundary are searched by their first words and the
boundary checked after (grading/tagger.py, `_BoundaryFirst`): the matches must be exactly those
of the pattern itself, and a real word must never be "corrected" into a cue word."""

from __future__ import annotations

import re

import pytest

from callsim.grading import tagger
from callsim.grading.tagger import tag_by_rules

TEXTS = [
    "i'm so sorry you've been without broadband all week , that must be really frustrating .",
    "you should have read the terms . it's all in the letter !",
    "calm down . xcalm down . recalm down",
    "so it's been down since monday ? i'll book an engineer for tomorrow between 8 and 12 .",
    "because those are the rules . well , that's just how it works .",
    "i can either send an engineer on thursday or post a new router , whichever suits you .",
    "i'll transfer you to my team leader now \n then we'll call you back within 48 hours",
    "",
]


def _patterns() -> list[tagger._Lazy]:
    out = []
    for value in vars(tagger).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        out += [p for p in items if isinstance(p, tagger._Lazy)]
    return out


def test_some_patterns_take_the_fast_path():
    assert sum(tagger._after_boundary(p.pattern) is not None for p in _patterns()) > 30


@pytest.mark.parametrize("text", TEXTS)
def test_a_boundary_first_search_finds_what_the_pattern_finds(text):
    for lazy in _patterns():
        plain = re.compile(lazy.pattern, lazy.flags)
        got, want = lazy.search(text), plain.search(text)
        assert (got and got.span()) == (want and want.span()), lazy.pattern
        assert [m.span() for m in lazy.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], lazy.pattern


def test_real_words_are_not_corrected_into_cue_words():
    # "flight" is not a slip for "fright", nor "locked" for "looked"; "realy" is one for "really"
    n = tagger._normaliser()
    assert n.normalise("your flight was locked").text == "your flight was locked"
    assert "really" in n.normalise("that must be realy frustrating").text
    assert "empathy" in tag_by_rules("that must be realy frustrating").tags
