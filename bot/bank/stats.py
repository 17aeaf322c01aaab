"""Counts of a bank per kind, topic and difficulty, and its mix of quiz kinds.

`quizbot content stats` prints them; `--json` gives them to machines.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.bank.loader import Bank
from bot.bank.shape import variety


def bank_stats(bank: Bank) -> dict[str, Any]:
    """Counts per kind, topic and difficulty, and the variety figures, as JSON-ready data."""
    quiz_topics = Counter(located.item.topic for located in bank.quizzes)
    interview_topics = Counter(located.item.topic for located in bank.interview_questions)
    lesson_topics = Counter(located.item.topic for located in bank.lessons)
    difficulties = Counter(located.item.difficulty for located in bank.quizzes)
    return {
        "quizzes": {
            "total": len(bank.quizzes),
            "by_topic": dict(sorted(quiz_topics.items())),
            "by_difficulty": {str(level): difficulties.get(level, 0) for level in (1, 2, 3)},
            "with_claim": sum(1 for located in bank.quizzes if located.item.claim),
            "with_demo": sum(1 for located in bank.quizzes if located.item.demo),
        },
        "interview_questions": {
            "total": len(bank.interview_questions),
            "by_topic": dict(sorted(interview_topics.items())),
        },
        "lessons": {"total": len(bank.lessons), "by_topic": dict(sorted(lesson_topics.items()))},
        "variety": variety([located.item for located in bank.quizzes]),
        "topics": {
            topic.id: {
                "title": topic.title,
                "quizzes": quiz_topics.get(topic.id, 0),
                "interview_questions": interview_topics.get(topic.id, 0),
                "lessons": lesson_topics.get(topic.id, 0),
                "variety": variety(
                    [located.item for located in bank.quizzes if located.item.topic == topic.id]
                ),
            }
            for topic in bank.topics
        },
    }
