"""Statistics charts as PNG with Persian labels (matplotlib shapes Persian text itself)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot import texts
from bot.bank.normalize import to_persian_digits
from bot.persian import jalali_day
from bot.services.reporting.statistics import ChannelQuizStats, TopicStats

DPI = 110
STYLE: Any = {  # rc keys; matplotlib types them as a Literal of every key
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
RIGHT, WRONG = "#2e7d32", "#90a4ae"
OPTION_WIDTH = 30  # characters per line of an option's label
TITLE_WIDTH = 60


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # "tight" measures the drawn text: the layout engine misjudges Persian digits' descent
    # and cut the bottom axis labels.
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return buffer.getvalue()


def _percent_axis(value: float, _position: int) -> str:
    return to_persian_digits(f"{round(value * 100)}") + "٪"


def wrap(text: str, width: int = 40) -> str:
    """`text` in lines of about `width` characters; every word kept (a long one is split)."""
    lines = textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)
    return "\n".join(lines)


def option_labels(options: Sequence[str], correct: Sequence[bool]) -> list[str]:
    """Each option's whole text wrapped, the right one marked ✓ (none when unknown)."""
    return [
        ("✓ " if right else "") + wrap(text, OPTION_WIDTH)
        for text, right in zip(options, correct, strict=True)
    ]


def _lines(labels: Sequence[str]) -> int:
    return sum(label.count("\n") + 1 for label in labels)


def quiz_options_chart(quiz: ChannelQuizStats, question: str, options: Sequence[str]) -> bytes:
    """Each option's share of the votes, the right one in green and marked ✓."""
    labels = option_labels(options, quiz.correct)
    voters = to_persian_digits(str(quiz.voters))
    heading = question
    if quiz.number is not None:
        number = to_persian_digits(str(quiz.number))
        heading = texts.CHART_QUIZ_TITLE.format(number=number, question=question)
    title = wrap(heading, TITLE_WIDTH)
    note = texts.CHART_VOTERS if quiz.answer_known else texts.CHART_VOTERS_ANSWER_UNKNOWN
    title += "\n" + note.format(voters=voters)
    # Taller for every wrapped line, so no label is squeezed over its neighbour.
    height = 0.8 + 0.3 * (title.count("\n") + 1) + 0.35 * max(_lines(labels), 2 * len(labels))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, height), layout="constrained")
        shares = quiz.shares
        positions = list(range(len(shares)))[::-1]
        ax.barh(positions, shares, color=[RIGHT if r else WRONG for r in quiz.correct])
        ax.set_yticks(positions, labels)
        ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
        ax.set_xlim(0, 1)
        for y, share in zip(positions, shares, strict=True):
            ax.text(share + 0.01, y, _percent_axis(share, 0), va="center")
        ax.set_title(title)
        return _png(fig)


def topic_accuracy_chart(topics: Sequence[TopicStats]) -> bytes:
    """First-attempt accuracy per topic, with how many learners answered."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 1.5 + 0.5 * len(topics)), layout="constrained")
        positions = list(range(len(topics)))[::-1]
        ax.barh(positions, [t.accuracy for t in topics], color="#1565c0")
        # Counts sit in the labels: digits beside other digits confuse right-to-left layout.
        ax.set_yticks(
            positions,
            [
                texts.CHART_TOPIC_LABEL.format(
                    title=wrap(t.title, OPTION_WIDTH), learners=to_persian_digits(str(t.learners))
                )
                for t in topics
            ],
        )
        ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
        ax.set_xlim(0, 1)
        for y, topic in zip(positions, topics, strict=True):
            ax.text(topic.accuracy + 0.01, y, _percent_axis(topic.accuracy, 0), va="center")
        ax.set_title(texts.CHART_TOPIC_ACCURACY)
        return _png(fig)


def day_labels(days: Sequence[str]) -> list[str]:
    """Jalali tick labels for YYYY-MM-DD days: month/day, with the year where it changes."""
    labels, year = [], None
    for day in days:
        jalali = jalali_day(date.fromisoformat(day))  # «۱۴۰۵/۰۹/۰۵»
        labels.append(jalali if jalali[:4] != year else jalali[5:])
        year = jalali[:4]
    return labels


def participation_chart(days: Sequence[tuple[str, int]]) -> bytes:
    """Answers per day, the days in the Jalali calendar."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
        ax.bar(range(len(days)), [count for _, count in days], color="#6a1b9a")
        step = max(1, len(days) // 8)
        # Labels of the ticks shown only, so the year is written on the first one shown.
        shown = [day for day, _ in days][::step]
        ax.set_xticks(range(0, len(days), step), day_labels(shown))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: to_persian_digits(str(int(v)))))
        ax.set_xlabel(texts.CHART_DAY_AXIS)
        ax.set_ylabel(texts.CHART_ANSWERS_AXIS)
        ax.set_title(texts.CHART_PARTICIPATION)
        return _png(fig)
