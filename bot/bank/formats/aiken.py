"""Moodle Aiken: a question line, lettered options (`A.` or `A)`), then `ANSWER: X`.

Aiken holds only single-answer questions without ids, explanations or line breaks; ids are
derived from the question text so that re-importing gives the same ids.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from bot.bank.formats.common import FormatError, ParsedQuiz, derived_id
from bot.bank.schema import QuizItem

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def parse_aiken(text: str, topic: str | None, difficulty: int) -> list[ParsedQuiz]:
    """Read Aiken text into quiz records; raise FormatError at the first malformed question."""
    quizzes: list[ParsedQuiz] = []
    question: list[str] = []
    options: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label = f"question at line {start or number}"
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            if not question or not options:
                raise FormatError(label, "correct", "ANSWER: comes before a question and options")
            letter = answer.group(1)
            position = string.ascii_uppercase.index(letter) + 1
            if position > len(options):
                raise FormatError(label, "correct", f"ANSWER: {letter} names no option")
            text_of_question = " ".join(question)
            quizzes.append(
                ParsedQuiz(
                    label,
                    {
                        "id": derived_id("aiken", text_of_question),
                        "topic": topic or "",
                        "difficulty": difficulty,
                        "question": text_of_question,
                        "options": options,
                        "correct": [position],
                    },
                )
            )
            question, options, start = [], [], 0
        elif option and question:
            if len(options) == len(string.ascii_uppercase):
                raise FormatError(label, "options", "more than 26 options: Aiken letters them A–Z")
            expected = string.ascii_uppercase[len(options)]
            if option.group(1) != expected:
                raise FormatError(
                    label, "options", f"option {option.group(1)} where {expected} was expected"
                )
            options.append(option.group(2).strip())
        elif options:
            raise FormatError(label, "correct", "options must end with an ANSWER: line")
        else:
            start = start or number
            question.append(line)
    if question:
        raise FormatError(f"question at line {start}", "correct", "the file ends before ANSWER:")
    return quizzes


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_aiken(quizzes: Iterable[QuizItem]) -> str:
    """Aiken text for single-answer quizzes; raise FormatError for ones Aiken cannot hold."""
    blocks = []
    for quiz in quizzes:
        if quiz.multiple:
            raise FormatError(quiz.id, "correct", "Aiken cannot hold several right answers")
        if len(quiz.options) > len(string.ascii_uppercase):
            raise FormatError(quiz.id, "options", "too many options for Aiken")
        lines = [_one_line(quiz.question)]
        lines += [
            f"{string.ascii_uppercase[index]}. {_one_line(option)}"
            for index, option in enumerate(quiz.options)
        ]
        lines.append(f"ANSWER: {string.ascii_uppercase[quiz.correct[0] - 1]}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
