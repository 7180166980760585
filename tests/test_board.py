"""The board's query layer (storage/board.py) on both databases: filters, diacritic-blind search,
keyset paging in every sort, the export of exactly what is filtered, and the change mark."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, update

from core.clock import FakeClock
from core.config import Settings
from core.normalize import fold
from reports.rows import Compliance, report_rows
from storage.board import BoardFilter, Due, Sort, board_page, change_mark, matching_ids
from storage.db import transaction
from storage.migrate import alembic_config, upgrade
from storage.models import Question, QuestionStatus
from tests.harness import Harness
from tests.report_data import populate, populate_campaign, reporting_harness


@pytest.fixture(scope="module")
def board(example_settings: Settings, module_database_url: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """The small campaign of tests/report_data.py (typed by people, HY-0001..4) and 300 bulk questions."""
    clock = FakeClock(datetime(2023, 2, 10, 2, 0, tzinfo=UTC))
    harness = reporting_harness(example_settings, module_database_url, clock,
                                tmp_path_factory.mktemp("board"))
    populate(harness)
    populate_campaign(harness, 300)
    with transaction(harness.app.sessions) as session:  # a few in English
        session.execute(update(Question).where(Question.number.in_((10, 11, 250))).values(language="en"))
    yield harness
    harness.dispose()


def page(harness: Harness, board: BoardFilter, cursor: str = "", size: int = 50):
    with harness.app.sessions() as session:
        return board_page(session, harness.app.processor.campaign_id, board, harness.clock.now(),
                          harness.settings.timezone, cursor, size)


def every_code(harness: Harness, board: BoardFilter, size: int = 7) -> list[str]:
    codes, cursor = [], ""
    while True:
        result = page(harness, board, cursor, size)
        codes += [row.code for row in result.rows]
        if not result.next_cursor:
            return codes
        cursor = result.next_cursor


def stored(harness: Harness, *where) -> list[Question]:
    with harness.app.sessions() as session:
        return list(session.scalars(select(Question).where(
            Question.status != QuestionStatus.DRAFT, *where).order_by(Question.number)))


def test_paging_walks_every_question_once_in_each_sort(board: Harness) -> None:
    everything = stored(board)
    for sort in Sort:
        codes = every_code(board, BoardFilter(sort=sort))
        assert sorted(codes) == sorted(q.code for q in everything), sort
    assert every_code(board, BoardFilter(sort=Sort.OLDEST)) == [q.code for q in everything]
    assert every_code(board, BoardFilter(sort=Sort.NEWEST)) == [q.code for q in everything][::-1]
    by_deadline = every_code(board, BoardFilter(sort=Sort.DEADLINE))
    dated = sorted((q for q in everything if q.answer_due_at), key=lambda q: (q.answer_due_at, q.number))
    assert by_deadline == [q.code for q in dated] + [q.code for q in everything if q.answer_due_at is None]
    assert page(board, BoardFilter()).total == len(everything)


def test_filters_match_the_stored_questions(board: Harness, example_settings: Settings) -> None:
    department = example_settings.departments[1].key
    district = example_settings.districts[2].key
    cases = [
        (BoardFilter(status=QuestionStatus.REJECTED), [Question.status == QuestionStatus.REJECTED]),
        (BoardFilter(department=department), [Question.department_key == department]),
        (BoardFilter(district=district, department=department),
         [Question.district_key == district, Question.department_key == department]),
        (BoardFilter(category="ecommerce"), [Question.category_key == "ecommerce"]),
        (BoardFilter(language="en"), [Question.language == "en"]),
    ]
    for board_filter, where in cases:
        expected = [q.code for q in stored(board, *where)]
        assert expected, board_filter
        assert every_code(board, replace_sort(board_filter)) == expected, board_filter
        assert page(board, board_filter).total == len(expected)


def replace_sort(board_filter: BoardFilter) -> BoardFilter:
    return replace(board_filter, sort=Sort.OLDEST)


def test_overdue_is_the_reports_overdue(board: Harness, example_settings: Settings) -> None:
    now = board.clock.now()
    with board.app.sessions() as session:
        report = {row.code for row in report_rows(session, example_settings, board.app.processor.campaign_id, now)
                  if row.compliance is Compliance.OVERDUE}
    assert report
    assert set(every_code(board, BoardFilter(due=Due.OVERDUE))) == report


def test_deadline_today_and_picked(board: Harness) -> None:
    now = board.clock.now()
    today = stored(board, Question.status == QuestionStatus.FORWARDED)[:3]
    with transaction(board.app.sessions) as session:
        session.execute(update(Question).where(Question.id.in_([q.id for q in today]))
                        .values(answer_due_at=now + timedelta(hours=1)))
        session.execute(update(Question).where(Question.id == today[0].id).values(event_rank=1))
    try:
        assert sorted(every_code(board, BoardFilter(due=Due.TODAY))) == sorted(q.code for q in today)
        assert every_code(board, BoardFilter(picked=True)) == [today[0].code]
    finally:
        with transaction(board.app.sessions) as session:
            for question in today:
                session.execute(update(Question).where(Question.id == question.id).values(
                    answer_due_at=question.answer_due_at, event_rank=None))


def test_search_ignores_diacritics_and_case(board: Harness) -> None:
    assert "HY-0001" in every_code(board, BoardFilter(search="SHOPEE thue"))
    assert "HY-0001" in every_code(board, BoardFilter(search="Shopee thuế"))
    assert every_code(board, BoardFilter(search="hy-0003")) == ["HY-0003"]
    assert every_code(board, BoardFilter(search="%_ zzz")) == []  # words only: LIKE's wildcards are dropped
    found = every_code(board, BoardFilter(search="thue"))
    assert found == [q.code for q in stored(board) if "thue" in fold(q.text)][::-1]


def test_search_text_follows_a_clarified_text(changeable_board: Harness) -> None:
    with transaction(changeable_board.app.sessions) as session:
        question = session.scalars(select(Question).where(Question.code == "HY-0002")).one()
        question.original_text, question.text = question.text, "Đường điện chiếu sáng thôn Đông"
    assert every_code(changeable_board, BoardFilter(search="chieu sang")) == ["HY-0002"]
    assert every_code(changeable_board, BoardFilter(search="san choi")) == ["HY-0002"]  # the asker's words too


@pytest.fixture
def changeable_board(example_settings: Settings, database_url: str, clock, tmp_path: Path) -> Iterator[Harness]:
    harness = reporting_harness(example_settings, database_url, clock, tmp_path)
    populate(harness)
    yield harness
    harness.dispose()


def test_the_export_has_exactly_the_filtered_questions(board: Harness, example_settings: Settings) -> None:
    board_filter = BoardFilter(search="thue", department="so-ct")
    now, campaign = board.clock.now(), board.app.processor.campaign_id
    with board.app.sessions() as session:
        exported = [row.code for row in report_rows(
            session, example_settings, campaign, now,
            within=matching_ids(campaign, board_filter, now, example_settings.timezone))]
    assert exported and sorted(exported) == sorted(every_code(board, board_filter))


def test_a_filter_round_trips_through_its_query_and_drops_nonsense() -> None:
    board_filter = BoardFilter(status="forwarded", due=Due.OVERDUE, picked=True, search="thue", sort=Sort.DEADLINE)
    assert BoardFilter.from_query(board_filter.to_query()) == board_filter
    assert BoardFilter.from_query({"status": "draft", "due": "soon", "sort": "x", "picked": "no"}) == BoardFilter()
    assert BoardFilter(department="so-ct").within("so-tc").department == "so-tc"


def test_the_change_mark_moves_with_an_answer(changeable_board: Harness) -> None:
    def mark() -> str:
        with changeable_board.app.sessions() as session:
            return change_mark(session, changeable_board.app.processor.campaign_id)
    before = mark()
    assert mark() == before
    (overdue,) = stored(changeable_board, Question.code == "HY-0002")
    department = overdue.department_key
    card = [m for m in changeable_board.messages_to(f"dept-{department}") if "HY-0002" in m.text and m.buttons][0]
    changeable_board.officer(department, "can-bo").reply(card, "Đã có câu trả lời")
    assert mark() != before


def test_migration_0027_folds_the_questions_already_stored(changeable_board: Harness) -> None:
    engine = changeable_board.app.engine
    config = alembic_config(engine)
    command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0027").down_revision)
    upgrade(engine)
    with changeable_board.app.sessions() as session:
        folded = {code: text for code, text in session.execute(
            select(Question.code, Question.search_text).where(Question.code.is_not(None)))}
    assert folded["HY-0001"].startswith("hy-0001 em ban hang online tren shopee thi co phai nop thue")
    assert every_code(changeable_board, BoardFilter(search="the thao")) == ["HY-0002"]
