"""Cost per update flat as the campaign grows (issue 18): the model learns one example at the cost of that
example, and the duplicate search reads only the open questions sharing a term, with the same results."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select

from bench.splits import FRESH, PARTS, pairs, questions
from core.config import Settings
from core.understanding.model import Example, Understanding
from handlers.curation import campaign_candidates, likely_duplicates
from storage.db import transaction
from storage.learning import CONFIRMED, SCORING_LAG, base_model, record_category, record_merge
from storage.models import Question, QuestionStatus
from tests.harness import Harness
from tests.population import add_open_questions

REASKED = FRESH / "reasked.jsonl"


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


def _test_set_texts() -> list[str]:
    """Every question of the labelled sets: dev, tuning, fresh, both sides of the labelled pairs, the re-asks."""
    texts = [row["text"] for part in PARTS for row in questions(part)]
    texts += [side for part in PARTS for row in pairs(part) for side in (row["a"], row["b"])]
    texts += [json.loads(line)["text"] for line in REASKED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(texts))


def test_the_term_index_finds_what_a_scan_of_every_open_question_finds(harness: Harness) -> None:
    """On the test sets' questions, some merged into others, a third of them learned (so that the weights differ
    from the configuration's, by which the index marks heavy terms): every question's duplicates, as the
    coordinator's card offers them, and a young person's support offer, are the same read both ways."""
    app, now = harness.app, harness.clock.now()
    texts = _test_set_texts()
    labelled = {row["text"]: row["category"] for part in PARTS for row in questions(part)}
    with transaction(app.sessions) as session:
        campaign = app.campaign(session)
        ids = add_open_questions(session, app.services.understanding, campaign, texts, len(texts), now)
        for duplicate, original in zip(ids[1:80:8], ids[2:80:8], strict=True):
            session.get_one(Question, duplicate).status = QuestionStatus.MERGED
            record_merge(session, session.get_one(Question, duplicate), session.get_one(Question, original), now)
        for question_id, text in list(zip(ids, texts, strict=True))[::3]:
            if text in labelled:
                record_category(session, session.get_one(Question, question_id), labelled[text], CONFIRMED, now)
    threshold = app.settings.curation.duplicate_threshold
    offered = read = 0
    with app.sessions() as session:
        model = app.services.understanding.scoring(session)  # a merge was learned: the current model
        assert model is app.services.understanding.model(session)
        assert len(model.examples) > len(base_model(app.settings).examples)
        every = campaign_candidates(session, campaign.id)
        forwarded = campaign_candidates(session, campaign.id, (QuestionStatus.FORWARDED,))
        for question in session.scalars(select(Question).where(Question.id.in_(ids[::2]))):
            scanned = {key: value for key, value in every.items() if key != question.id}
            matches = model.likely_duplicates(question.signature, scanned, threshold)
            assert [(q.id, m) for q, m in likely_duplicates(session, app.services, question)] == \
                [(m.key, m) for m in matches]
            offered += bool(matches)
            found = campaign_candidates(session, campaign.id, (QuestionStatus.FORWARDED,),
                                        like=model.lookup_terms(question.signature, threshold))
            assert model.likely_duplicates(question.signature, found, threshold) == \
                model.likely_duplicates(question.signature, forwarded, threshold)
            read += len(found)
    assert offered > 50  # the comparison is not among questions that match nothing
    print(f"read {read / (len(ids[::2]) * len(forwarded)):.3f} of the open questions")
    assert read < 0.25 * len(ids[::2]) * len(forwarded)


def test_duplicates_are_scored_by_a_model_refreshed_every_few_learned_categories(harness: Harness) -> None:
    """Each accepted question is a learned category, so a new model: the duplicate search keeps the model (and
    every open question's weights) until `SCORING_LAG` categories were learned, or a merge taught terms."""
    app, now = harness.app, harness.clock.now()
    understanding = app.services.understanding
    texts = _test_set_texts()[:SCORING_LAG + 2]
    with transaction(app.sessions) as session:
        ids = add_open_questions(session, understanding, app.campaign(session), texts, len(texts), now)
    with app.sessions() as session:
        first = understanding.scoring(session)

    def learn(question_id: int) -> None:
        with transaction(app.sessions) as session:
            record_category(session, session.get_one(Question, question_id), "education", CONFIRMED, now)

    for question_id in ids[:SCORING_LAG - 1]:
        learn(question_id)
    with app.sessions() as session:
        assert understanding.scoring(session) is first
        assert len(understanding.model(session).examples) == len(first.examples) + SCORING_LAG - 1
    learn(ids[SCORING_LAG - 1])
    with app.sessions() as session:
        assert understanding.scoring(session) is understanding.model(session) is not first
        refreshed = understanding.scoring(session)
    learn(ids[SCORING_LAG])
    with transaction(app.sessions) as session:
        record_merge(session, session.get_one(Question, ids[-1]), session.get_one(Question, ids[0]), now)
    with app.sessions() as session:
        assert understanding.scoring(session) is understanding.model(session) is not refreshed


def test_what_was_learned_is_counted_once_per_transaction_and_again_after_a_change(harness: Harness) -> None:
    """The version of what was learned (its count and newest id, asked about six times a question) is
    read once per transaction; an example written in it, or a savepoint rolled back, has it read again."""
    app, now = harness.app, harness.clock.now()
    understanding = app.services.understanding
    with transaction(app.sessions) as session:
        ids = add_open_questions(session, understanding, app.campaign(session), _test_set_texts()[:2], 2, now)
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "max(learned_examples.id)" in statement:
            reads.append(statement)

    event.listen(app.engine, "before_cursor_execute", note)
    try:
        with transaction(app.sessions) as session:
            known = len(understanding.model(session).examples)
            understanding.scoring(session), understanding.model(session)
            assert len(reads) == 1
            savepoint = session.begin_nested()
            record_category(session, session.get_one(Question, ids[0]), "education", CONFIRMED, now)
            assert len(understanding.model(session).examples) == known + 1
            savepoint.rollback()
            assert len(understanding.model(session).examples) == known
            assert len(reads) == 3
        with app.sessions() as session:
            understanding.model(session)
            assert len(reads) == 4
    finally:
        event.remove(app.engine, "before_cursor_execute", note)
