"""The `quizbot` command line, run in-process against real files and a real SQLite database."""

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Quiz
from tests.banks import bank_data, write_bank

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with its own bank and database, and no secrets."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ANSWER_HASH_KEY", "DATABASE_URL", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path / "content")))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    return tmp_path


async def quiz_count(workdir: Path) -> int:
    engine = create_engine(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    async with create_session_factory(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Quiz))
    await engine.dispose()
    return count or 0


def test_validate_reports_ok(workdir: Path) -> None:
    result = runner.invoke(app, ["content", "validate"])
    assert result.exit_code == 0, result.output
    assert "3 quizzes, 1 interview questions, 1 lessons" in result.output


def test_stats_json_has_the_documented_keys(workdir: Path) -> None:
    result = runner.invoke(app, ["content", "stats", "--json"])
    stats = json.loads(result.stdout)
    assert {"quizzes", "interview_questions", "lessons", "topics"} <= set(stats)
    assert stats["quizzes"]["total"] == 3
    assert stats["quizzes"]["by_topic"] == {"activations": 2, "cnn": 1}
    assert stats["quizzes"]["by_difficulty"] == {"1": 1, "2": 2, "3": 0}
    assert stats["topics"]["cnn"]["lessons"] == 1


def test_broken_item_is_named_and_nothing_is_written(workdir: Path) -> None:
    data = bank_data()
    data["quizzes"][1]["options"] = ["تنها گزینه"]
    write_bank(workdir / "content", data)
    result = runner.invoke(app, ["content", "sync"])
    assert result.exit_code == 1
    assert "items/main.yaml: item act-sigmoid-max: field options:" in result.stderr
    assert "nothing was written" in result.stderr
    # The good items in the same run were not written either.
    assert not (workdir / "bot.db").exists() or asyncio.run(quiz_count(workdir)) == 0


def test_sync_twice_reports_no_changes(workdir: Path) -> None:
    first = runner.invoke(app, ["content", "sync"])
    assert "quizzes: 3 added" in first.output
    second = runner.invoke(app, ["content", "sync"])
    assert "quizzes: 0 added, 0 updated, 0 retired, 3 unchanged" in second.output
    assert asyncio.run(quiz_count(workdir)) == 3


def test_run_without_token_migrates_syncs_then_stops_with_one_clear_line(
    workdir: Path,
) -> None:
    assert runner.invoke(app, ["setup"]).exit_code == 0
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "quizzes: 3 added" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "@BotFather" in lines[0]
    assert asyncio.run(quiz_count(workdir)) == 3


def test_run_without_hash_key_says_how_to_make_one(workdir: Path) -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "ANSWER_HASH_KEY" in result.stderr
    assert "quizbot setup" in result.stderr


def test_db_upgrade_then_check(workdir: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0
    assert "matches" in result.output


def test_export_and_import_through_the_cli(workdir: Path) -> None:
    out = workdir / "bank.gift"
    result = runner.invoke(app, ["content", "export", "--format", "gift", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "::cnn-params::" in out.read_text()
    # Re-importing our own export clashes with the ids already in the bank: refused, nothing
    # written.
    target = workdir / "content" / "items" / "imported-bank.yaml"
    result = runner.invoke(app, ["content", "import", str(out), "--format", "gift"])
    assert result.exit_code == 1
    assert "id also used in" in result.stderr
    assert not target.exists()


def test_import_writes_a_content_file_that_validates(workdir: Path) -> None:
    source = workdir / "new.txt"
    source.write_text(
        "کدوم تابع فعال‌سازی خروجی‌اش بین منفی یک و یکه؟\nA. tanh\nB. sigmoid\nC. ReLU\nANSWER: A\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["content", "import", str(source), "--format", "aiken", "--topic", "activations"]
    )
    assert result.exit_code == 0, result.output
    written = workdir / "content" / "items" / "imported-new.yaml"
    assert "tanh" in written.read_text(encoding="utf-8")
    assert "4 quizzes" in runner.invoke(app, ["content", "validate"]).output
    # A second import of the same file would overwrite it: refused without --force.
    again = runner.invoke(
        app, ["content", "import", str(source), "--format", "aiken", "--topic", "activations"]
    )
    assert again.exit_code == 1
    assert "--force" in again.stderr
    forced = runner.invoke(
        app,
        [
            "content",
            "import",
            str(source),
            "--format",
            "aiken",
            "--topic",
            "activations",
            "--force",
        ],
    )
    assert forced.exit_code == 0, forced.output


def test_demo_list_and_run_from_the_command_line(workdir: Path) -> None:
    listing = runner.invoke(app, ["demo", "list"])
    assert listing.exit_code == 0, listing.output
    assert "letters: noise=" in listing.output
    out = workdir / "letters.png"
    result = runner.invoke(
        app,
        [
            "demo",
            "letters",
            "--set",
            "samples=40",
            "--set",
            "steps=20",
            "--set",
            "seeds=1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "دقت" in result.output  # the Persian caption is printed
    bad = runner.invoke(app, ["demo", "letters", "--set", "hidden=1000", "--out", str(out)])
    assert bad.exit_code == 1
    assert "hidden" in bad.stderr or "نورون" in bad.stderr


def test_run_webhook_without_its_settings_says_what_to_set_before_touching_anything(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANSWER_HASH_KEY", "k" * 40)
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2
    assert "WEBHOOK_URL is not set" in result.output
    assert not (workdir / "bot.db").exists()  # refused before migrating
