"""Item-writing checks for the bank (`quizbot content lint`): each names the offending ids.

These are the habits that make a quiz guessable or sloppy: the right answer always in the same
position or always the longest, catch-all options, the same question asked twice, missing
explanations, and text that is not (properly) Persian.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bot.bank.loader import Bank, item_files
from bot.bank.normalize import comparison_key, option_key
from bot.bank.schema import QuizItem
from bot.bank.yamlio import read_yaml
from bot.limits import telegram_length
from nn_demos.catalogue import CATALOGUE

MAX_POSITION_SHARE = 0.35  # of four-option quizzes, for any one correct position
MAX_LONGEST_SHARE = 0.40  # of quizzes whose correct option is strictly the longest
MIN_BULLETS, MAX_BULLETS = 3, 6
SAME_ANSWER_SCORE = 70.0  # similarity of two questions that also share their right answer
# Tags whose idea a demo shows (from the demo catalogue); quizzes of the demo topics carrying
# them must link the demo.
DEMO_TAGS = {spec.name: spec.tags for spec in CATALOGUE.values() if spec.tags}
DEMO_TOPICS = frozenset(topic for spec in CATALOGUE.values() for topic in spec.topics)

_CATCH_ALL = re.compile(
    r"همه(\s|\u200c)*(ی|ٔ)?\s*(موارد|گزینه|موارد بالا)|هیچ(\s|\u200c)*(کدام|کدوم|یک)"
    r"|هر\s*(دو|سه|چهار)\s*(مورد|گزینه)|گزینه(\s|\u200c)*(های)?\s*[۱-۹1-9الفب]\s*و"
    r"|all of the above|none of the above|both [a-d] and",
    re.IGNORECASE,
)
_PERSIAN_LETTER = re.compile(r"[آ-ی]")
_ARABIC_LETTERS = re.compile(r"[يكى]")


@dataclass
class LintFinding:
    """One rule that the bank breaks, with the items that break it."""

    rule: str
    message: str
    ids: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = ", ".join(self.ids[:20]) + (" …" if len(self.ids) > 20 else "")
        return f"{self.rule}: {self.message}" + (f" [{shown}]" if shown else "")


def _position_balance(bank: Bank) -> list[LintFinding]:
    four = [located.item for located in bank.quizzes if len(located.item.options) == 4]
    if not four:
        return []
    counts = Counter(quiz.correct[0] for quiz in four if not quiz.multiple)
    findings = []
    for position, count in sorted(counts.items()):
        if count / len(four) > MAX_POSITION_SHARE:
            ids = [quiz.id for quiz in four if quiz.correct[0] == position]
            findings.append(
                LintFinding(
                    "position-balance",
                    f"option {position} is correct in {count} of {len(four)} four-option quizzes "
                    f"(more than {MAX_POSITION_SHARE:.0%})",
                    ids,
                )
            )
    return findings


def _longest_is_correct(bank: Bank) -> list[LintFinding]:
    quizzes = [located.item for located in bank.quizzes if not located.item.multiple]
    ids = []
    for quiz in quizzes:
        lengths = [telegram_length(option) for option in quiz.options]
        correct = lengths[quiz.correct[0] - 1]
        if all(correct > length for i, length in enumerate(lengths) if i != quiz.correct[0] - 1):
            ids.append(quiz.id)
    if quizzes and len(ids) / len(quizzes) > MAX_LONGEST_SHARE:
        return [
            LintFinding(
                "longest-correct",
                f"the correct option is the longest in {len(ids)} of {len(quizzes)} quizzes "
                f"(more than {MAX_LONGEST_SHARE:.0%}); lengthen the wrong ones",
                ids,
            )
        ]
    return []


def _catch_all_options(bank: Bank) -> list[LintFinding]:
    ids = [
        located.item.id
        for located in bank.quizzes
        if any(_CATCH_ALL.search(option) for option in located.item.options)
    ]
    return (
        [
            LintFinding(
                "catch-all-option",
                "options like «همه موارد» or «هیچ‌کدام» reward test-taking tricks, not knowledge",
                ids,
            )
        ]
        if ids
        else []
    )


def _answer_key(quiz: QuizItem) -> str:
    return option_key(" ".join(quiz.options[position - 1] for position in quiz.correct))


def _same_question(bank: Bank) -> list[LintFinding]:
    # Two quizzes test the same fact when their questions are alike and so are their answers;
    # alike questions alone are often one template asked about different layers.
    quizzes = [located.item for located in bank.quizzes]
    keys = [comparison_key(quiz.question) for quiz in quizzes]
    answers = [_answer_key(quiz) for quiz in quizzes]
    pairs = []
    for first in range(len(quizzes)):
        for second in range(first + 1, len(quizzes)):
            score = fuzz.token_set_ratio(keys[first], keys[second])
            if answers[first] == answers[second] and score >= SAME_ANSWER_SCORE:
                pairs.append(f"{quizzes[first].id} ~ {quizzes[second].id}")
    return (
        [LintFinding("same-question", "these quizzes ask the same thing", pairs)] if pairs else []
    )


def _explanations(bank: Bank) -> list[LintFinding]:
    ids = [located.item.id for located in bank.quizzes if not located.item.explanation]
    return (
        [
            LintFinding(
                "explanation", "quizzes without an explanation of why the answer is right", ids
            )
        ]
        if ids
        else []
    )


def _persian(bank: Bank) -> list[LintFinding]:
    ids = [
        located.item.id
        for located in bank.quizzes
        if not _PERSIAN_LETTER.search(located.item.question)
    ]
    return [LintFinding("persian", "questions without Persian text", ids)] if ids else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _arabic_letters(content_dir: Path) -> list[LintFinding]:
    # Loading normalises ي/ك away, so the check reads the files as written.
    ids = []
    for path in item_files(content_dir):
        data = read_yaml(path) or {}
        for section in ("quizzes", "interview_questions", "lessons"):
            for entry in data.get(section) or []:
                if isinstance(entry, dict) and any(
                    _ARABIC_LETTERS.search(text) for text in _strings(entry)
                ):
                    ids.append(str(entry.get("id")))
    return (
        [LintFinding("arabic-letters", "Arabic ي/ك/ى written in the files (use Persian ی/ک)", ids)]
        if ids
        else []
    )


def _bullets(bank: Bank) -> list[LintFinding]:
    ids = [
        located.item.id
        for located in bank.interview_questions
        if not MIN_BULLETS <= len(located.item.answer) <= MAX_BULLETS
    ]
    return (
        [LintFinding("bullets", f"interview answers need {MIN_BULLETS}–{MAX_BULLETS} bullets", ids)]
        if ids
        else []
    )


def _demo_links(bank: Bank) -> list[LintFinding]:
    ids = []
    for located in bank.quizzes:
        quiz = located.item
        shows = any(set(quiz.tags) & tags for tags in DEMO_TAGS.values())
        if quiz.topic in DEMO_TOPICS and shows and quiz.demo is None:
            ids.append(quiz.id)
    return (
        [
            LintFinding(
                "demo-link",
                "quizzes on activations, optimizers or dropout that "
                "do not name the demo showing the idea",
                ids,
            )
        ]
        if ids
        else []
    )


def lint_bank(bank: Bank, content_dir: Path) -> list[LintFinding]:
    """Every item-writing rule the bank breaks; empty when it is clean."""
    return [
        *_position_balance(bank),
        *_longest_is_correct(bank),
        *_catch_all_options(bank),
        *_same_question(bank),
        *_explanations(bank),
        *_persian(bank),
        *_arabic_letters(content_dir),
        *_bullets(bank),
        *_demo_links(bank),
    ]
