"""Statistics charts as PNG with Persian labels (matplotlib shapes Persian text itself)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot import texts
from bot.bank.normalize import to_persian_digits
from bot.services.reporting.statistics import ChannelQuizStats, TopicStats

DPI = 110
STYLE: Any = {  # rc keys; matplotlib types them as a Literal of every key
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
RIGHT, WRONG = "#2e7d32", "#90a4ae"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _percent_axis(value: float, _position: int) -> str:
    return to_persian_digits(f"{round(value * 100)}") + "٪"


def _wrap(text: str, width: int = 40) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line][:3])


def quiz_options_chart(quiz: ChannelQuizStats, question: str, options: Sequence[str]) -> bytes:
    """Each option's share of the votes, the right one in green and marked ✓."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.7 * len(options)), layout="constrained")
        labels = [
            ("✓ " if right else "") + _wrap(text, 30)
            for text, right in zip(options, quiz.correct, strict=False)
        ]
        shares = quiz.shares
        positions = list(range(len(shares)))[::-1]
        ax.barh(positions, shares, color=[RIGHT if r else WRONG for r in quiz.correct])
        ax.set_yticks(positions, labels)
        ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
        ax.set_xlim(0, 1)
        for y, share in zip(positions, shares, strict=True):
            ax.text(share + 0.01, y, _percent_axis(share, 0), va="center")
        number = to_persian_digits(str(quiz.number)) if quiz.number else ""
        voters = to_persian_digits(str(quiz.voters))
        title = texts.CHART_QUIZ_TITLE.format(number=number, question=question)
        ax.set_title(_wrap(title, 60) + "\n" + texts.CHART_VOTERS.format(voters=voters))
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
                    title=t.title, learners=to_persian_digits(str(t.learners))
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


def participation_chart(days: Sequence[tuple[str, int]]) -> bytes:
    """Answers per day."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
        ax.bar(range(len(days)), [count for _, count in days], color="#6a1b9a")
        step = max(1, len(days) // 8)
        ax.set_xticks(
            range(0, len(days), step), [to_persian_digits(day[5:]) for day, _ in days][::step]
        )
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: to_persian_digits(str(int(v)))))
        ax.set_xlabel(texts.CHART_DAY_AXIS)
        ax.set_ylabel(texts.CHART_ANSWERS_AXIS)
        ax.set_title(texts.CHART_PARTICIPATION)
        return _png(fig)
