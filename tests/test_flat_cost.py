"""Cost per update flat as the campaign grows (issue 18): the model learns one example at the cost of that
example, and the duplicate search reads only the open questions sharing a term, with the same results."""

from __future__ import annotations

import pytest

from bench.splits import pairs, questions
from core.config import Settings
from core.understanding.model import Example, Understanding
from storage.learning import base_model


def _examples(part: str) -> list[Example]:
    return [Example(row["text"], row["category"]) for row in questions(part)]


def _same_suggestions(a: Understanding, b: Understanding, texts: list[str]) -> None:
    for text in texts:
        left, right = a.suggest(text), b.suggest(text)
        assert [s.key for s in left] == [s.key for s in right], text
        assert [s.score for s in left] == pytest.approx([s.score for s in right], abs=1e-12), text
        for key in a.keys[:3]:
            assert a.nearest_examples(text, key) == b.nearest_examples(text, key)


def test_learning_one_example_at_a_time_equals_a_rebuild(example_settings: Settings) -> None:
    learned = _examples("unseen")
    merges = [(row["a"], row["b"]) for row in pairs("seen") if row["duplicate"]][:10]
    grown = base_model(example_settings)
    for example in learned:
        grown = grown.learning([example])
    grown = grown.learning([], [(grown.signature(a), grown.signature(b)) for a, b in merges])
    rebuilt = base_model(example_settings, learned)
    rebuilt = Understanding(example_settings.categories, example_settings.fallback_category, rebuilt.lexicon,
                            rebuilt.examples, [(rebuilt.signature(a), rebuilt.signature(b)) for a, b in merges])
    assert grown.examples == rebuilt.examples
    texts = [row["text"] for row in questions("fresh")] + [e.text for e in learned[:20]]
    _same_suggestions(grown, rebuilt, texts)
    signatures = {n: grown.signature(text) for n, text in enumerate(texts)}
    for text in texts:
        assert grown.likely_duplicates(grown.signature(text), signatures, 0.5) == \
            rebuilt.likely_duplicates(rebuilt.signature(text), signatures, 0.5)


def test_the_model_before_learning_is_left_as_it_was(example_settings: Settings) -> None:
    before = base_model(example_settings)
    text = questions("fresh")[0]["text"]
    suggested = before.suggest(text)
    before.learning(_examples("unseen"))
    assert before.suggest(text) == suggested
