"""A channel's Telegram Desktop export imports with its past vote shares, once."""

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.bank.loader import load_bank
from bot.cli.main import app
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Channel, Quiz
from bot.services.learning.picking import pick_quiz
from bot.services.reporting import statistics
from tests.banks import write_bank

EXPORT = {
    "name": "کانال نمونه",
    "type": "public_channel",
    "id": 1234567890,
    "messages": [
        {"id": 1, "type": "service", "date": "2025-01-01T10:00:00", "actor": "x"},
        {
            "id": 10,
            "type": "message",
            "date": "2025-01-02T18:00:00",
            "date_unixtime": "1735828200",
            "poll": {
                "question": "❓کوییز شماره ۹۰: کدوم تابع خروجی بین صفر و یک داره؟",
                "closed": True,
                "total_voters": 100,
                "answers": [
                    {"text": "ReLU", "voters": 21, "chosen": False},
                    {"text": "Tanh", "voters": 11, "chosen": False},
                    {"text": "Sigmoid", "voters": 63, "chosen": True},
                    {"text": "Linear", "voters": 5, "chosen": False},
                ],
            },
        },
        {
            "id": 11,
            "type": "message",
            "date": "2025-01-03T18:00:00",
            "text": [
                {
                    "type": "plain",
                    "text": "💡سوال مصاحبه: فرق لایهٔ کانولوشنی با لایهٔ تمام‌متصل چیه؟\n"
                    "🔵 کانولوشن وزن‌ها رو بین مکان‌ها به اشتراک می‌ذاره.\n"
                    "🔵 لایهٔ تمام‌متصل به همهٔ ورودی‌ها وصله.\n",
                },
                {"type": "hashtag", "text": "#Deep_Learning"},
            ],
        },
        {
            "id": 12,
            "type": "message",
            "date": "2025-01-04T18:00:00",
            "poll": {
                "question": "❓کوییز شماره ۹۱: بهینه‌ساز پیش‌فرض بیشتر پروژه‌ها کدومه؟",
                "closed": False,
                "total_voters": 40,
                "answers": [{"text": "SGD", "voters": 10}, {"text": "Adam", "voters": 30}],
            },
        },
    ],
}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_import_is_idempotent_and_keeps_vote_shares(
    tmp_path: Path, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_bank(tmp_path / "content")
    source = tmp_path / "result.json"
    source.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    monkeypatch.setenv("CONTENT_DIR", str(content))
    runner = CliRunner()
    arguments = [
        "content",
        "import",
        str(source),
        "--format",
        "telegram-export",
        "--topic",
        "activations",
    ]
    first = await asyncio.to_thread(runner.invoke, app, arguments)
    assert first.exit_code == 0, first.output
    assert "2 quizzes, 2 channel posts and 2 vote snapshots imported" in first.output
    again = await asyncio.to_thread(runner.invoke, app, arguments)
    assert "0 quizzes, 0 channel posts and 0 vote snapshots imported, 2 already" in again.output

    engine = create_engine(migrated_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session:
            (_, oldest) = await statistics.channel_quiz_statistics(session)
            assert oldest.number == 90
            assert oldest.counts == [21, 11, 63, 5]
            assert oldest.voters == 100
            channel = await session.scalar(select(Channel))
            assert channel is not None
            assert channel.chat_id == -1001234567890
            assert channel.next_quiz_number == 92  # new quizzes continue the series
            flagged = await session.scalar(
                select(func.count()).select_from(Quiz).where(Quiz.needs_review.is_(True))
            )
            assert flagged == 2
            # Out of rotation until an admin names the right option.
            picks = {(await pick_quiz(session, "x" * 64, "activations", exclude=())) for _ in "ab"}
            assert all(p is None or not p.quiz.id.startswith("tg") for p in picks)
        answer = await asyncio.to_thread(
            runner.invoke, app, ["content", "set-answer", "tg1234567890-10", "3"]
        )
        assert answer.exit_code == 0, answer.output
        async with sessions() as session:
            quiz = await session.get(Quiz, "tg1234567890-10")
            assert quiz is not None
            assert quiz.needs_review is False
            assert [o.is_correct for o in quiz.options] == [False, False, True, False]
            (_, oldest) = await statistics.channel_quiz_statistics(session)
            assert oldest.share_correct == pytest.approx(0.63)  # the seed channel's 63%
    finally:
        await engine.dispose()
    # The recognised interview question is a valid content file for review.
    bank = load_bank(content)
    questions = [q.item for q in bank.interview_questions if q.item.id.startswith("tg")]
    assert len(questions) == 1
    assert questions[0].answer[0] == "کانولوشن وزن‌ها رو بین مکان‌ها به اشتراک می‌ذاره."


def test_a_file_that_is_not_an_export_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "result.json"
    source.write_text('{"hello": 1}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path / "content")))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(
        app, ["content", "import", str(source), "--format", "telegram-export"]
    )
    assert result.exit_code == 1
    assert "not a Telegram Desktop export" in result.stderr
