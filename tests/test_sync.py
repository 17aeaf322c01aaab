"""`sync_bank` against real SQLite and PostgreSQL databases."""

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import load_bank
from bot.db.models import (
    Audience,
    InterviewQuestion,
    ItemKind,
    LearnerAnswer,
    Lesson,
    Publication,
    Quiz,
    QuizOption,
    Topic,
)
from bot.services.content.sync import SyncReport, sync_bank
from tests.banks import bank_data, write_bank

Sessions = async_sessionmaker[AsyncSession]


async def sync(sessions: Sessions, root: Path) -> SyncReport:
    bank = load_bank(root)
    async with sessions.begin() as session:
        return await sync_bank(session, bank)


async def quiz_row(sessions: Sessions, quiz_id: str) -> Quiz:
    async with sessions() as session:
        quiz = await session.get(Quiz, quiz_id)
        assert quiz is not None
        return quiz


async def snapshot(sessions: Sessions) -> list[Any]:
    """Everything sync writes, to compare two states of the database."""
    async with sessions() as session:
        rows: list[Any] = []
        for model in (Topic, Quiz, QuizOption, InterviewQuestion, Lesson):
            for row in (await session.scalars(select(model))).all():
                rows.append({c.key: getattr(row, c.key) for c in model.__table__.columns})
        return rows


async def test_first_sync_adds_everything(session_factory: Sessions, tmp_path: Path) -> None:
    report = await sync(session_factory, write_bank(tmp_path))
    assert sorted(report.quizzes.added) == ["act-relu-grad", "act-sigmoid-max", "cnn-params"]
    assert report.interview_questions.added == ["int-why-relu"]
    assert report.lessons.added == ["les-padding"]
    assert sorted(report.topics.added) == ["activations", "cnn"]
    quiz = await quiz_row(session_factory, "act-sigmoid-max")
    assert [o.text for o in quiz.options] == ["۱", "۰٫۵", "۰٫۲۵", "۰٫۱"]
    assert [o.is_correct for o in quiz.options] == [False, False, True, False]
    assert quiz.claim == {
        "kind": "activation_derivative_max",
        "function": "sigmoid",
        "expect": 0.25,
    }
    assert isinstance(quiz.created_at, datetime)
    assert quiz.created_at.utcoffset() is not None


async def test_second_sync_changes_nothing(session_factory: Sessions, tmp_path: Path) -> None:
    root = write_bank(tmp_path)
    await sync(session_factory, root)
    before = await snapshot(session_factory)
    report = await sync(session_factory, root)
    assert not report.changed
    assert report.quizzes.unchanged == 3
    assert await snapshot(session_factory) == before  # not even updated_at moved


async def test_edited_item_updates_in_place(session_factory: Sessions, tmp_path: Path) -> None:
    await sync(session_factory, write_bank(tmp_path))
    old = await quiz_row(session_factory, "cnn-params")
    data = bank_data()
    data["quizzes"][2]["options"][3] = "۸۹۶"
    data["quizzes"][2]["explanation"] = "وزن‌ها ۲۷×۱۶ و بایاس‌ها ۱۶ تا؛ جمعاً ۴۴۸."
    report = await sync(session_factory, write_bank(tmp_path, data))
    assert report.quizzes.updated == ["cnn-params"]
    assert not report.quizzes.added
    new = await quiz_row(session_factory, "cnn-params")
    assert new.explanation == "وزن‌ها ۲۷×۱۶ و بایاس‌ها ۱۶ تا؛ جمعاً ۴۴۸."
    assert [o.text for o in new.options] == ["۴۳۲", "۴۴۸", "۱۴۴", "۸۹۶"]
    assert [o.id for o in new.options] == [o.id for o in old.options]  # rows kept, not replaced
    assert new.created_at == old.created_at


async def test_changed_number_of_options(session_factory: Sessions, tmp_path: Path) -> None:
    await sync(session_factory, write_bank(tmp_path))
    data = bank_data()
    data["quizzes"][2]["options"] = ["۴۴۸", "۴۳۲", "۱۴۴"]
    data["quizzes"][2]["correct"] = 1
    await sync(session_factory, write_bank(tmp_path, data))
    quiz = await quiz_row(session_factory, "cnn-params")
    assert [(o.position, o.text, o.is_correct) for o in quiz.options] == [
        (0, "۴۴۸", True),
        (1, "۴۳۲", False),
        (2, "۱۴۴", False),
    ]


async def test_removed_item_is_retired_and_keeps_its_answers(
    session_factory: Sessions, tmp_path: Path
) -> None:
    await sync(session_factory, write_bank(tmp_path))
    async with session_factory.begin() as session:
        publication = Publication(
            audience=Audience.PRIVATE,
            learner_hash="a" * 64,
            kind=ItemKind.QUIZ,
            quiz_id="cnn-params",
            poll_id="p1",
        )
        session.add(publication)
        await session.flush()
        session.add(
            LearnerAnswer(
                learner_hash="a" * 64,
                publication_id=publication.id,
                quiz_id="cnn-params",
                option_mask=0b10,
                is_correct=True,
            )
        )
    data = bank_data()
    del data["quizzes"][2]
    report = await sync(session_factory, write_bank(tmp_path, data))
    assert report.quizzes.retired == ["cnn-params"]
    retired = await quiz_row(session_factory, "cnn-params")
    assert retired.retired_at is not None
    async with session_factory() as session:
        answers = await session.scalar(select(func.count()).select_from(LearnerAnswer))
    assert answers == 1
    # Putting it back brings it back to service with the same statistics.
    report = await sync(session_factory, write_bank(tmp_path))
    assert report.quizzes.updated == ["cnn-params"]
    assert (await quiz_row(session_factory, "cnn-params")).retired_at is None
