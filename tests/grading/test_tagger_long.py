"""The tagger on long replies and long calls: the same tags and evidence as on short ones.

How fast it is on them is measured by bench/long_replies.py, not asserted here.
"""

from __future__ import annotations

from callsim.grading.tagger import SENTENCE_WORDS, explain_reply, tag_reply

ADVICE = (
    "I'm so sorry you've been without broadband all week, that must be really frustrating. "
    "What happened when you restarted the router? I'll book an engineer for tomorrow between "
    "8 and 12, or we can send a new router, whichever you prefer. "
)
DEADLINE = "I work from home and I missed a client deadline because of this."
PLAYBACK = "So working from home, you missed a client deadline."


def test_a_long_reply_earns_what_one_copy_of_it_earns_quoted_from_where_it_was_typed():
    one = tag_reply(ADVICE)
    long_text = ADVICE * 100  # about 20 KB
    many = tag_reply(long_text)
    assert many.tags == one.tags
    assert many.evidence == one.evidence  # the first place each cue is found, as typed
    assert [m.tag for m in explain_reply(long_text)] == [m.tag for m in explain_reply(ADVICE)]


def test_a_run_on_with_no_punctuation_is_read_in_sentences_and_quoted_exactly():
    filler = "and we looked at the line for you " * 40  # far more words than one sentence
    text = "I can hear how frustrating this has been " + filler + "whichever you prefer"
    assert len(text.split()) > 3 * SENTENCE_WORDS
    result = tag_reply(text)
    assert result.evidence["empathy"] == "I can hear how frustrating"
    for words in result.evidence.values():
        assert words in text and "\n" not in words


def test_no_cue_joins_words_more_than_a_sentence_apart():
    # "I can see ... frustrating" in one sentence is empathy; a wall of words between them is not
    near = "I can see the account and how frustrating it is"
    far = "I can see the account " + "and the line and the router " * SENTENCE_WORDS + "frustrating"
    assert "empathy" in tag_reply(near).tags
    assert "empathy" not in tag_reply(far).tags


def test_a_reflection_of_an_early_line_counts_late_in_the_call_and_only_in_its_own_call():
    later = ["It went off on Monday.", "The light is red.", "I've restarted it twice."]
    history: list[str] = [DEADLINE]
    other_call: list[str] = ["I was charged twice this month."]
    for line in later * 40:  # two calls tagged in turn, each history one line longer a reply
        assert "reflection" in tag_reply(PLAYBACK, line, tuple(history)).tags
        assert "reflection" not in tag_reply(PLAYBACK, line, tuple(other_call)).tags
        history.append(line)
        other_call.append(line)
    assert "reflection" not in tag_reply(PLAYBACK, "Okay.", tuple(history[1:])).tags
