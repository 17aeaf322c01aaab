"""A channel's Telegram Desktop export imports with its past vote shares, once."""

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

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
        waiting = await asyncio.to_thread(runner.invoke, app, ["content", "needs-review"])
        assert waiting.exit_code == 0, waiting.output
        assert "tg1234567890-10: کدوم تابع خروجی بین صفر و یک داره؟" in waiting.output
        assert "  3. Sigmoid" in waiting.output
        assert "2 quizzes wait" in waiting.output
        answer = await asyncio.to_thread(
            runner.invoke, app, ["content", "set-answer", "tg1234567890-10", "3"]
        )
        assert answer.exit_code == 0, answer.output
        waiting = await asyncio.to_thread(runner.invoke, app, ["content", "needs-review"])
        assert "tg1234567890-10" not in waiting.output
        assert "1 quizzes wait" in waiting.output
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


def with_message(**fields: Any) -> dict[str, Any]:
    """The sample export with its first poll message changed."""
    export = copy.deepcopy(EXPORT)
    export["messages"][1].update(fields)
    return export


def with_poll(**fields: Any) -> dict[str, Any]:
    """The sample export with its first poll changed."""
    export = copy.deepcopy(EXPORT)
    export["messages"][1]["poll"].update(fields)
    return export


LONE_SURROGATE = '"\\ud800"'  # json.dumps would write a lone surrogate's escape the same way


@pytest.mark.parametrize(
    ("export", "expected"),
    [
        (dict(EXPORT, id=2**64), "field id: 18446744073709551616 is out of range"),
        (dict(EXPORT, id=10**17), "field id: 100000000000000000 is too large for a Telegram"),
        (with_message(id=2**63), "item message 9223372036854775808: field id: "),
        (with_message(id=-3), "item message -3: field id: -3 is out of range"),
        (with_message(date_unixtime="9" * 30), "field date_unixtime: 999999999"),
        (with_message(date_unixtime="soon"), "field date_unixtime: must be a whole number"),
        (with_poll(question=["کوییز", 5]), "field poll.question[2]: must be text or an entity"),
        (with_poll(question="کوییز شماره ۹۹۹۹۹۹۹۹۹۹۹۹: چی؟"), "field quiz number: "),
        (with_poll(total_voters=2**40), "field poll.total_voters: 1099511627776 is out of range"),
        (with_poll(answers=[{"text": f"{n}", "voters": 1} for n in range(13)]), "at most 12"),
        (with_poll(question="\x00"), "field poll.question: holds a NUL character"),
        ([EXPORT], "not a Telegram Desktop export"),
        (dict(EXPORT, messages=EXPORT["messages"] * 2), "item message 10: field id: appears twice"),
    ],
)
def test_an_export_with_values_no_channel_has_is_refused_naming_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, export: Any, expected: str
) -> None:
    source = tmp_path / "result.json"
    source.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    result = refused_import(tmp_path, monkeypatch, source)
    assert f"{source}: " in result
    assert expected in result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000, "JSON nested too deeply"),
        (json.dumps(EXPORT).replace('"ReLU"', LONE_SURROGATE), "U+D800, half of a surrogate"),
        (json.dumps(EXPORT).replace('"Sigmoid"', "1" * 5000), "not valid JSON"),
        ('{"id": 1, "messages": [}', "not valid JSON"),
    ],
)
def test_an_export_no_json_reader_could_hold_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    source = tmp_path / "result.json"
    source.write_text(text, encoding="utf-8")
    assert expected in refused_import(tmp_path, monkeypatch, source)


def refused_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path) -> str:
    """What `content import --format telegram-export` prints when it refuses `source`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path / "content")))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(
        app, ["content", "import", str(source), "--format", "telegram-export"]
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "nothing was written" in result.stderr
    return result.stderr
