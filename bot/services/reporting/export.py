"""Statistics as tables (one per view) and their CSV, XLSX and JSON files.

The views are aggregates computed in SQL, so their size follows the number of quizzes,
topics and days, not the number of answers.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Channel, Quiz, QuizOption
from bot.persian import jalali_datetime, jalali_day
from bot.services.channel.outcomes import Refusal
from bot.services.channel.rights import Admin, acting_channel
from bot.services.channel.views import ChannelView
from bot.services.reporting import statistics

FORMATS = ("csv", "xlsx", "json")
# The steps of an export a progress message counts: the views' queries, then the file.
QUERY_STEPS = 6
STEPS = QUERY_STEPS + 1

Progress = Callable[[int, int], object]  # (steps done, steps in all)


def _no_progress(done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class View:
    """One table: a key, its rows (dicts in column order)."""

    key: str
    rows: list[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        """The JSON keys, in order."""
        return list(texts.EXPORT_VIEWS[self.key][1])


async def build_views(
    session: AsyncSession,
    tz: ZoneInfo,
    channel_chat_id: int | None = None,
    since: datetime | None = None,
    progress: Progress = _no_progress,
) -> list[View]:
    """Every statistics view, for one channel (by chat id) or all of them.

    `progress` hears (steps done, STEPS) after each of the QUERY_STEPS queries.
    """
    channel_id = None
    if channel_chat_id is not None:
        channel_id = await session.scalar(
            select(Channel.id).where(Channel.chat_id == channel_chat_id)
        )
        if channel_id is None:
            raise LookupError(f"unknown channel {channel_chat_id}")
    titles = dict((await session.execute(select(Channel.id, Channel.title))).all())
    channel_quizzes = await statistics.channel_quiz_statistics(session, channel_id, since)
    progress(1, STEPS)
    questions = dict((await session.execute(select(Quiz.id, Quiz.question))).all())
    option_texts = {
        (q, p): t
        for q, p, t in await session.execute(
            select(QuizOption.quiz_id, QuizOption.position, QuizOption.text)
        )
    }
    quizzes_view, options_view = [], []
    for item in channel_quizzes:
        quizzes_view.append(
            {
                "publication_id": item.publication_id,
                "channel": titles.get(item.channel_id, ""),
                "quiz_number": item.number,
                "quiz_id": item.quiz_id,
                "question": questions.get(item.quiz_id, ""),
                "sent_at": item.sent_at,
                "sent_at_jalali": jalali_datetime(item.sent_at, tz),
                "voters": item.voters,
                "multiple": item.multiple,
                "correct_options": item.correct_options,
                "share_correct": _rounded(item.share_correct),
            }
        )
        known = item.answer_known
        for position, (votes, share) in enumerate(zip(item.counts, item.shares, strict=True)):
            options_view.append(
                {
                    "publication_id": item.publication_id,
                    "quiz_number": item.number,
                    "option": position + 1,
                    "text": option_texts.get((item.quiz_id, position), ""),
                    "correct": item.correct[position] if known else None,
                    "votes": votes,
                    "share": round(share, 4),
                }
            )
    items_view = []
    item_stats = await statistics.item_statistics(session, since)
    progress(2, STEPS)
    for stats in item_stats:
        # Without a right answer the learners' "correct" flags say nothing: leave them out.
        known = stats.answer_known
        for position, (share, right) in enumerate(
            zip(stats.option_shares, stats.correct, strict=True)
        ):
            items_view.append(
                {
                    "quiz_id": stats.quiz_id,
                    "topic": stats.topic_id,
                    "question": stats.question,
                    "answers": stats.answers,
                    "facility": _rounded(stats.facility if known else None),
                    "discrimination": _rounded(stats.discrimination if known else None),
                    "option": position + 1,
                    "correct": right if known else None,
                    "share": round(share, 4),
                }
            )
    topic_stats = await statistics.topic_statistics(session, since)
    progress(3, STEPS)
    topics_view = [
        {
            "topic": t.topic_id,
            "title": t.title,
            "answers": t.answers,
            "accuracy": round(t.accuracy, 4),
            "learners": t.learners,
        }
        for t in topic_stats
    ]
    test_stats = await statistics.test_statistics(session)
    progress(4, STEPS)
    sessions_view = [
        {
            "size": test.size,
            "correct": correct,
            "sessions": count,
            "cronbach_alpha": _rounded(test.cronbach_alpha),
        }
        for test in test_stats
        for correct, count in sorted(test.distribution.items())
    ]
    snapshots = await statistics.voters_over_time(session, channel_id, since)
    progress(5, STEPS)
    votes_view = [
        {
            "publication_id": publication,
            "quiz_number": number,
            "taken_at": moment,
            "taken_at_jalali": jalali_datetime(moment, tz),
            "voters": voters,
        }
        for publication, number, moment, voters in snapshots
    ]
    per_day = await statistics.answers_per_day(session, str(tz), since)
    progress(6, STEPS)
    days_view = [
        {"day": day, "day_jalali": jalali_day(day), "answers": count}
        for day, count in ((date.fromisoformat(text), count) for text, count in per_day)
    ]
    return [
        View("channel_quizzes", quizzes_view),
        View("channel_options", options_view),
        View("learner_items", items_view),
        View("topics", topics_view),
        View("sessions", sessions_view),
        View("answers_per_day", days_view),
        View("channel_votes", votes_view),
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# Shares between 0 and 1, shown by spreadsheets as percentages.
PERCENT_COLUMNS = frozenset({"share_correct", "share", "facility", "accuracy"})
PERCENT_FORMAT = "0.0%"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def _text(value: Any) -> Any:
    """A value as CSV and JSON carry it: times in ISO 8601, yes/no in Persian for CSV."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _positions(value: list[int]) -> str:
    """Option positions in one cell: «1, 3» (JSON keeps the list)."""
    return ", ".join(str(position) for position in value)


def _csv_cell(value: Any) -> Any:
    # None (an unknown right answer, a figure that cannot be computed) is an empty cell.
    if isinstance(value, bool):
        return texts.YES_NO[value]
    if isinstance(value, list):
        return _positions(value)
    return _text(value)


def _csv_rows(view: View) -> Iterator[list[Any]]:
    yield list(texts.EXPORT_VIEWS[view.key][1].values())
    for row in view.rows:
        yield [_csv_cell(row[column]) for column in view.columns]


def to_csv_files(views: list[View]) -> dict[str, bytes]:
    """One UTF-8 CSV file per view, with a byte-order mark so Excel shows Persian."""
    files = {}
    for view in views:
        text = io.StringIO()
        text.write("\ufeff")
        csv.writer(text, lineterminator="\n").writerows(_csv_rows(view))
        files[f"{view.key}.csv"] = text.getvalue().encode("utf-8")
    return files


def to_csv_zip(views: list[View]) -> bytes:
    """The CSV files zipped together (one document to send in chat)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in to_csv_files(views).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> tuple[Any, str | None]:
    """A cell's value and number format."""
    if isinstance(value, bool):
        return texts.YES_NO[value], None
    if isinstance(value, list):
        return _positions(value), None
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: the UTC wall time, as the column header says.
        return value.astimezone(UTC).replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    return value, None


def to_xlsx(views: list[View]) -> bytes:
    """A right-to-left sheet per view, frozen header; numbers, dates and shares as such."""
    # openpyxl takes a fifth of a second to import: the bot pays it at its first XLSX export,
    # not at every start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for view in views:
        title, headers = texts.EXPORT_VIEWS[view.key]
        sheet = workbook.create_sheet(title[:31])
        sheet.sheet_view.rightToLeft = True
        sheet.append(list(headers.values()))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row_number, row in enumerate(view.rows, start=2):
            for column_number, column in enumerate(view.columns, start=1):
                value, number_format = _xlsx_cell(row[column])
                if value is None:
                    continue  # an empty cell, not 0
                cell = sheet.cell(row_number, column_number, value)
                if column in PERCENT_COLUMNS:
                    cell.number_format = PERCENT_FORMAT
                elif number_format is not None:
                    cell.number_format = number_format
        for column_cells in sheet.columns:
            width = max(len(_width_text(c.value)) for c in column_cells[:200])
            sheet.column_dimensions[column_cells[0].column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _width_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return "0000-00-00 00:00"  # as the format shows it, not as str() would
    return "" if value is None else str(value)


def to_json(views: list[View], generated_at: datetime) -> bytes:
    """The same numbers for machines, keyed by view."""
    payload = {
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "views": {view.key: view.rows for view in views},
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, default=_text).encode("utf-8")


def render(views: list[View], fmt: str, generated_at: datetime) -> tuple[bytes, str]:
    """File bytes and file extension for `fmt`."""
    if fmt == "csv":
        return to_csv_zip(views), "zip"
    if fmt == "xlsx":
        return to_xlsx(views), "xlsx"
    if fmt == "json":
        return to_json(views, generated_at), "json"
    raise ValueError(f"unknown format {fmt!r}")


@dataclass(frozen=True)
class ExportRequested:
    """An admin asked for the acting channel's statistics: built in the background."""

    channel_chat_id: int
    channel_title: str
    format: str


@dataclass(frozen=True)
class ExportReady:
    """A channel's statistics as one file."""

    data: bytes
    extension: str
    format: str
    channel_title: str


@dataclass(frozen=True)
class ExportUsage:
    """/export was given an unknown format."""


async def export_channel(
    session: AsyncSession, admin: Admin, words: list[str]
) -> ExportRequested | ExportUsage | Refusal:
    """/export csv|xlsx|json (xlsx by default): which channel and format, checked at once."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    fmt = words[0].lower() if words else "xlsx"
    if fmt not in FORMATS:
        return ExportUsage()
    return ExportRequested(channel.chat_id, channel.title, fmt)


async def build_export(
    session: AsyncSession,
    request: ExportRequested,
    tz: ZoneInfo,
    now: datetime,
    progress: Progress = _no_progress,
) -> ExportReady:
    """The requested file; the file itself is written in a thread (the event loop stays free).

    Run it in a read session: it reads for seconds at a million answers.
    """
    views = await build_views(session, tz, request.channel_chat_id, progress=progress)
    data, extension = await asyncio.to_thread(render, views, request.format, now)
    progress(STEPS, STEPS)
    return ExportReady(data, extension, request.format, request.channel_title)
