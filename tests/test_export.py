"""Exports: CSV with BOM, right-to-left XLSX with frozen headers and numbers, and JSON, all
telling the same numbers."""

import asyncio
import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot import texts
from bot.cli.main import app
from bot.db.models import (
    Audience,
    Channel,
    ItemKind,
    LearnerAnswer,
    Publication,
    Purpose,
    TestSession,
    VoteSnapshot,
    VoteSnapshotOption,
)
from bot.services.reporting import charts, export
from tests.test_statistics import T0, answer, bank, quiz

Sessions = async_sessionmaker[AsyncSession]


async def fill(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await bank(session)
        for learner, q1, q2 in (("a", 1, 0), ("b", 1, 2), ("c", 0, 0), ("d", 3, 1)):
            await answer(session, learner * 64, "q1", q1, q1 == 1)
            await answer(session, learner * 64, "q2", q2, q2 == 0)
        test = TestSession(
            learner_hash="e" * 64,
            size=2,
            started_at=T0,
            finished_at=T0 + timedelta(minutes=1),
            correct_count=1,
        )
        session.add(test)
        channel = Channel(chat_id=-100_9, title="کانال آزمایشی", default_hashtags=[])
        session.add(channel)
        await session.flush()
        publication = Publication(
            audience=Audience.CHANNEL,
            purpose=Purpose.CHANNEL,
            channel_id=channel.id,
            kind=ItemKind.QUIZ,
            quiz_id="q1",
            poll_id="p9",
            quiz_number=90,
            sent_at=T0,
        )
        session.add(publication)
        await session.flush()
        session.add(
            VoteSnapshot(
                publication_id=publication.id,
                taken_at=T0,
                total_voter_count=100,
                options=[
                    VoteSnapshotOption(position=i, voter_count=c)
                    for i, c in enumerate([21, 63, 11, 5])
                ],
            )
        )


async def test_all_formats_agree(session_factory: Sessions) -> None:
    await fill(session_factory)
    async with session_factory() as session:
        views = await export.build_views(session, ZoneInfo("Asia/Tehran"))
    generated = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    document = json.loads(export.to_json(views, generated))
    options = document["views"]["channel_options"]
    assert [row["share"] for row in options] == [0.21, 0.63, 0.11, 0.05]
    assert [row["correct"] for row in options] == [False, True, False, False]
    assert document["views"]["channel_votes"] == [
        {
            "publication_id": options[0]["publication_id"],
            "quiz_number": 90,
            "taken_at": "2026-11-26T08:00:00+00:00",
            "taken_at_jalali": "پنج‌شنبه ۱۴۰۵/۰۹/۰۵ ساعت ۱۱:۳۰",
            "voters": 100,
        }
    ]
    items = {(r["quiz_id"], r["option"]): r for r in document["views"]["learner_items"]}
    assert items[("q1", 2)]["discrimination"] == 1.0
    assert items[("q1", 2)]["share"] == 0.5

    files = export.to_csv_files(views)
    for view in views:
        data = files[f"{view.key}.csv"]
        assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == list(texts.EXPORT_VIEWS[view.key][1].values())
        assert len(rows) - 1 == len(document["views"][view.key])

    workbook = load_workbook(io.BytesIO(export.to_xlsx(views)))
    sheet = workbook[texts.EXPORT_VIEWS["channel_options"][0]]
    assert sheet.sheet_view.rightToLeft is True
    assert sheet.freeze_panes == "A2"
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    shares = [row[-1] for row in values]
    assert shares == [0.21, 0.63, 0.11, 0.05]
    assert all(isinstance(share, float) for share in shares)  # numbers, not text
    assert values[1][4] == "بله"  # the correct option is marked
    assert set(workbook.sheetnames) == {title for title, _ in texts.EXPORT_VIEWS.values()}


async def fill_imported(session_factory: Sessions) -> None:
    """A poll imported from the channel's history: nobody has said which option is right."""
    async with session_factory.begin() as session:
        session.add(quiz("tg9-1", "a", 3, correct=-1))
        channel = await session.scalar(select(Channel))
        assert channel is not None
        publication = Publication(
            audience=Audience.CHANNEL,
            purpose=Purpose.CHANNEL,
            channel_id=channel.id,
            kind=ItemKind.QUIZ,
            quiz_id="tg9-1",
            quiz_number=89,
            sent_at=T0 - timedelta(days=1),
        )
        session.add(publication)
        await session.flush()
        session.add(
            VoteSnapshot(
                publication_id=publication.id,
                taken_at=T0 - timedelta(days=1),
                total_voter_count=10,
                options=[
                    VoteSnapshotOption(position=i, voter_count=c) for i, c in enumerate([5, 3, 2])
                ],
            )
        )


async def test_an_unknown_right_answer_is_unknown_in_every_format_never_0(
    session_factory: Sessions,
) -> None:
    await fill(session_factory)
    await fill_imported(session_factory)
    async with session_factory() as session:
        views = await export.build_views(session, ZoneInfo("Asia/Tehran"))

    document = json.loads(export.to_json(views, T0))["views"]
    known, unknown = document["channel_quizzes"]  # newest first
    assert (known["quiz_number"], known["share_correct"]) == (90, 0.63)
    assert (unknown["quiz_number"], unknown["share_correct"]) == (89, None)
    imported = [row for row in document["channel_options"] if row["quiz_number"] == 89]
    assert [(row["share"], row["correct"]) for row in imported] == [
        (0.5, None),
        (0.3, None),
        (0.2, None),
    ]

    files = export.to_csv_files(views)
    quizzes = list(csv.DictReader(io.StringIO(files["channel_quizzes.csv"].decode("utf-8-sig"))))
    headers = texts.EXPORT_VIEWS["channel_quizzes"][1]
    assert [row[headers["share_correct"]] for row in quizzes] == ["0.63", ""]
    options = list(csv.DictReader(io.StringIO(files["channel_options.csv"].decode("utf-8-sig"))))
    right = texts.EXPORT_VIEWS["channel_options"][1]["correct"]
    assert [row[right] for row in options] == ["خیر", "بله", "خیر", "خیر", "", "", ""]

    workbook = load_workbook(io.BytesIO(export.to_xlsx(views)))
    sheet = workbook[texts.EXPORT_VIEWS["channel_quizzes"][0]]
    column = {header: i for i, header in enumerate(next(sheet.values))}
    rows = list(sheet.iter_rows(min_row=2))
    share_correct = [row[column[headers["share_correct"]]] for row in rows]
    assert [cell.value for cell in share_correct] == [0.63, None]  # empty, not 0
    assert share_correct[0].number_format == "0.0%"  # shown as 63.0%
    sent = rows[0][column[headers["sent_at"]]]
    assert sent.is_date  # a date a spreadsheet sorts and filters, not text
    assert sent.value == datetime(2026, 11, 26, 8, 0)
    assert rows[0][column[headers["sent_at_jalali"]]].value == "پنج‌شنبه ۱۴۰۵/۰۹/۰۵ ساعت ۱۱:۳۰"
    sheet = workbook[texts.EXPORT_VIEWS["channel_options"][0]]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[4] for row in values] == ["خیر", "بله", "خیر", "خیر", None, None, None]
    assert sheet.cell(2, 7).number_format == "0.0%"
    sheet = workbook[texts.EXPORT_VIEWS["answers_per_day"][0]]
    (day,) = sheet.iter_rows(min_row=2)
    assert day[0].is_date
    assert day[0].value == datetime(2026, 11, 26)
    assert day[1].value == "۱۴۰۵/۰۹/۰۵"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_cli_export_writes_every_format(
    session_factory: Sessions, tmp_path: Path, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(session_factory)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    runner = CliRunner()
    for fmt in ("json", "xlsx", "csv"):
        result = await asyncio.to_thread(
            runner.invoke,
            app,
            [
                "stats",
                "export",
                "--format",
                fmt,
                "--out",
                str(tmp_path / f"stats.{fmt}"),
                "--channel",
                "-1009",
            ],
        )
        assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert document["views"]["channel_quizzes"][0]["quiz_number"] == 90
    csv_rows = list(
        csv.reader(
            io.StringIO((tmp_path / "stats-channel_quizzes.csv").read_text(encoding="utf-8-sig"))
        )
    )
    assert csv_rows[1][2] == "90"
    unknown = await asyncio.to_thread(
        runner.invoke,
        app,
        [
            "stats",
            "export",
            "--format",
            "json",
            "--out",
            str(tmp_path / "x.json"),
            "--channel",
            "-42",
        ],
    )
    assert unknown.exit_code == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_charts_are_written_as_png(
    session_factory: Sessions, tmp_path: Path, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(session_factory)
    await fill_imported(session_factory)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["stats", "charts", "--out", str(tmp_path / "charts")]
    )
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (tmp_path / "charts").iterdir())
    assert names[0] == "participation.png"
    assert [name[:5] for name in names[1:3]] == ["quiz-"] * 2  # one per quiz, imported too
    assert names[3:] == ["topics.png"]
    for path in (tmp_path / "charts").iterdir():
        assert path.read_bytes().startswith(b"\x89PNG")


def test_chart_labels_keep_every_word_of_an_option() -> None:
    long = "یک گزینهٔ بلند که از سی نویسه بیشتر است و https://example.com/a/very/long/path"
    right, unmarked = charts.option_labels([long, "ReLU"], [True, False])
    assert right.startswith("✓ ")
    lines = right.removeprefix("✓ ").split("\n")
    assert len(lines) > 1
    assert all(len(line) <= charts.OPTION_WIDTH for line in lines)
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")  # wrapped, nothing dropped
    assert unmarked == "ReLU"
    # An imported quiz's right answer is unknown: no option is marked.
    assert not any(
        label.startswith("✓") for label in charts.option_labels(["a", "b"], [False, False])
    )


def test_chart_days_are_jalali_with_the_year_where_it_changes() -> None:
    days = ["2026-03-19", "2026-03-20", "2026-03-21", "2026-03-22"]
    assert charts.day_labels(days) == ["۱۴۰۴/۱۲/۲۸", "۱۲/۲۹", "۱۴۰۵/۰۱/۰۱", "۰۱/۰۲"]


async def test_every_format_tells_what_the_answer_rows_say(session_factory: Sessions) -> None:
    # Fifteen learners, three quizzes, some second attempts: every learner figure of every
    # format, recomputed here from the rows themselves (first attempts, Kelley's 27% groups).
    rng = random.Random(3)
    quizzes = {"q1": (4, 1), "q2": (3, 0), "q3": (2, 1)}
    async with session_factory.begin() as session:
        await bank(session)
        session.add(quiz("q3", "a", 2, 1))
        await session.flush()
        for n in range(15):
            for quiz_id, (options, right) in quizzes.items():
                for attempt in (1, 2):
                    if rng.random() < 0.75:
                        option = rng.randrange(options)
                        await answer(
                            session, f"{n:064x}", quiz_id, option, option == right, attempt
                        )
    async with session_factory() as session:
        rows = (
            await session.execute(
                select(
                    LearnerAnswer.learner_hash,
                    LearnerAnswer.quiz_id,
                    LearnerAnswer.option_mask,
                    LearnerAnswer.is_correct,
                ).where(LearnerAnswer.attempt == 1)
            )
        ).all()
        views = await export.build_views(session, ZoneInfo("Asia/Tehran"))

    by_learner: dict[str, list[bool]] = {}
    for learner, _quiz, _mask, right in rows:
        by_learner.setdefault(learner, []).append(bool(right))
    ranked = sorted(by_learner, key=lambda who: (-sum(by_learner[who]) / len(by_learner[who]), who))
    cut = (len(ranked) * 27 + 99) // 100
    upper, lower = set(ranked[:cut]), set(ranked[len(ranked) - cut :])

    def share(part: list[object], whole: list[object]) -> float:
        return len(part) / len(whole)

    expected_items = []
    for quiz_id in sorted(quizzes):
        mine = [row for row in rows if row[1] == quiz_id]
        right = [row for row in mine if row[3]]
        ups = [row for row in mine if row[0] in upper]
        lows = [row for row in mine if row[0] in lower]
        discrimination = share([r for r in ups if r[3]], ups) - share(
            [r for r in lows if r[3]], lows
        )
        for position in range(quizzes[quiz_id][0]):
            chosen = [row for row in mine if row[2] & (1 << position)]
            expected_items.append(
                (
                    quiz_id,
                    len(mine),
                    round(share(right, mine), 4),
                    round(discrimination, 4),
                    position + 1,
                    position == quizzes[quiz_id][1],
                    round(share(chosen, mine), 4),
                )
            )
    expected_topics = []
    for topic, members in (("a", {"q1", "q3"}), ("b", {"q2"})):
        mine = [row for row in rows if row[1] in members]
        right = [row for row in mine if row[3]]
        learners = len({row[0] for row in mine})
        expected_topics.append((topic, len(mine), round(share(right, mine), 4), learners))

    item_keys = ("quiz_id", "answers", "facility", "discrimination", "option", "correct", "share")
    topic_keys = ("topic", "answers", "accuracy", "learners")
    document = json.loads(export.to_json(views, T0))["views"]
    assert [tuple(row[k] for k in item_keys) for row in document["learner_items"]] == (
        expected_items
    )
    assert [tuple(row[k] for k in topic_keys) for row in document["topics"]] == expected_topics

    def typed(value: str | float | None) -> object:
        """A cell as the JSON has it: numbers as numbers, yes/no as booleans."""
        if isinstance(value, str):
            answer_of = {text: flag for flag, text in texts.YES_NO.items()}
            if value in answer_of:
                return answer_of[value]
            try:
                return int(value)
            except ValueError:
                try:
                    return float(value)
                except ValueError:
                    return value
        return value

    def picked(table: list[list[object]], view: str, keys: tuple[str, ...]) -> list[tuple]:
        headers = texts.EXPORT_VIEWS[view][1]
        column = {header: i for i, header in enumerate(table[0])}
        return [tuple(typed(line[column[headers[k]]]) for k in keys) for line in table[1:]]

    files = export.to_csv_files(views)
    for view, keys, expected in (
        ("learner_items", item_keys, expected_items),
        ("topics", topic_keys, expected_topics),
    ):
        table: list[list[object]] = list(
            csv.reader(io.StringIO(files[f"{view}.csv"].decode("utf-8-sig")))
        )
        assert picked(table, view, keys) == expected, view
        workbook = load_workbook(io.BytesIO(export.to_xlsx(views)))
        sheet = [list(line) for line in workbook[texts.EXPORT_VIEWS[view][0]].values]
        assert picked(sheet, view, keys) == expected, view
