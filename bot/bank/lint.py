"""Item-writing checks for the bank (`quizbot content lint`): each names the offending ids.

These are the habits that make a quiz guessable or sloppy: the right answer always in the same
position or standing out by its length, catch-all options, the same question asked twice,
missing explanations, a lesson that gives a quiz's answer away, a bank of one kind of quiz
(no multiple-answer, no "which is NOT true", all four options, mostly arithmetic), text that
is not (properly) Persian or not in the house style. content/README.md lists every rule.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bot.bank.loader import Bank, item_files
from bot.bank.normalize import comparison_key, option_key
from bot.bank.schema import QuizItem
from bot.bank.shape import (
    distinctive_answers,
    is_numeric,
    length_checked,
    length_rank,
    numbers_in,
    persian_number,
    shows,
    significant_digits,
    variety,
)
from bot.bank.style import STYLE_RULES, style_breaks
from bot.bank.yamlio import read_yaml
from nn_demos.catalogue import CATALOGUE

MAX_POSITION_SHARE = 0.35  # of same-size quizzes, for any one correct position (see below)
POSITION_SLACK = 0.10  # over an even share (1/k), for sizes where 35% is not reachable
MIN_POSITION_GROUP = 8  # fewer same-size quizzes than this are too few to judge
MAX_LENGTH_CUE_SHARE = 0.30  # right option strictly the longest (or the shortest)
OUTLIER_SHORT = 0.80  # right option at most this fraction of every wrong one's length
OUTLIER_LONG = 1.25  # or at least this multiple of it
MAX_OPTIONS = 5
MIN_KIND_SHARE = 0.05  # multiple-answer, NOT-true, and each of 2, 3, 5 options
VARIED_OPTION_COUNTS = (2, 3, 5)
MAX_NUMERIC_SHARE = 1 / 3
LEAK_EVERYWHERE_DIGITS = 3  # significant digits of an answer no other topic may write
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
# How a multiple-answer question tells the learner to pick every right option.
_SEVERAL_RIGHT = re.compile(
    r"بیش\s*از\s*یک|گزینه(?:\u200c|\s)*ها|کدوم(?:\u200c|\s)*ها|کدام(?:\u200c|\s)*ها"
)
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
    # Per number of options: with k options a position may be right in at most
    # max(35%, 1/k + 10%) of them (two-option quizzes cannot go below a half).
    by_size: dict[int, list[QuizItem]] = {}
    for located in bank.quizzes:
        if not located.item.multiple:
            by_size.setdefault(len(located.item.options), []).append(located.item)
    findings = []
    for size, quizzes in sorted(by_size.items()):
        if len(quizzes) < MIN_POSITION_GROUP:
            continue
        limit = max(MAX_POSITION_SHARE, 1 / size + POSITION_SLACK)
        counts = Counter(quiz.correct[0] for quiz in quizzes)
        for position, count in sorted(counts.items()):
            if count / len(quizzes) > limit:
                ids = [quiz.id for quiz in quizzes if quiz.correct[0] == position]
                findings.append(
                    LintFinding(
                        "position-balance",
                        f"option {position} is correct in {count} of {len(quizzes)} "
                        f"{size}-option quizzes (more than {limit:.0%})",
                        ids,
                    )
                )
    return findings


def _length_cues(bank: Bank) -> list[LintFinding]:
    # The right option should not stand out by its length: among single-answer quizzes whose
    # options are not numbers, it may be strictly the longest, or strictly the shortest, in at
    # most 30% of them, and never much shorter (or longer) than every wrong option.
    quizzes = length_checked(located.item for located in bank.quizzes)
    ranks = [(quiz, length_rank(quiz)) for quiz in quizzes]
    findings = []
    for rule, attribute, advice in (
        ("longest-correct", "longest", "lengthen the wrong ones"),
        ("shortest-correct", "shortest", "make the wrong ones as short and specific"),
    ):
        ids = [quiz.id for quiz, rank in ranks if getattr(rank, attribute)]
        if quizzes and len(ids) / len(quizzes) > MAX_LENGTH_CUE_SHARE:
            findings.append(
                LintFinding(
                    rule,
                    f"the correct option is the {attribute} in {len(ids)} of {len(quizzes)} "
                    f"non-numeric single-answer quizzes (more than {MAX_LENGTH_CUE_SHARE:.0%}); "
                    f"{advice}",
                    ids,
                )
            )
    outliers = [
        quiz.id
        for quiz, rank in ranks
        if len(quiz.options) > 2
        and (
            (rank.shortest and rank.ratio_to_nearest <= OUTLIER_SHORT)
            or (rank.longest and rank.ratio_to_nearest >= OUTLIER_LONG)
        )
    ]
    if outliers:
        findings.append(
            LintFinding(
                "length-outlier",
                f"the correct option is at least {1 - OUTLIER_SHORT:.0%} shorter (or "
                f"{OUTLIER_LONG - 1:.0%} longer) than every wrong option: its length gives it away",
                outliers,
            )
        )
    return findings


def _multiple_hints(bank: Bank) -> list[LintFinding]:
    ids = [
        located.item.id
        for located in bank.quizzes
        if located.item.multiple and not _SEVERAL_RIGHT.search(located.item.question)
    ]
    return (
        [
            LintFinding(
                "multiple-hint",
                "multiple-answer quizzes whose question does not say that several options may "
                "be right («(ممکنه بیش از یکی درست باشه)» or «کدوم گزینه‌ها …»)",
                ids,
            )
        ]
        if ids
        else []
    )


def _option_counts(bank: Bank) -> list[LintFinding]:
    ids = [located.item.id for located in bank.quizzes if len(located.item.options) > MAX_OPTIONS]
    return (
        [LintFinding("option-count", f"quizzes with more than {MAX_OPTIONS} options", ids)]
        if ids
        else []
    )


def _variety(bank: Bank) -> list[LintFinding]:
    """The bank-wide mix: enough multiple-answer, NOT-true and 2/3/5-option quizzes,
    and not too many arithmetic ones."""
    quizzes = [located.item for located in bank.quizzes]
    if not quizzes:
        return []
    total = len(quizzes)
    figures = variety(quizzes)
    findings = []
    for key, label in (
        ("multiple_answer", "multiple-answer quizzes (`correct: [..]`, `multiple: true`)"),
        ("not_true", "«کدوم گزینه درست نیست؟» quizzes"),
    ):
        if figures[key]["share"] < MIN_KIND_SHARE:
            findings.append(
                LintFinding(
                    "variety",
                    f"{figures[key]['count']} of {total} quizzes are {label}; "
                    f"at least {MIN_KIND_SHARE:.0%} should be",
                )
            )
    for size in VARIED_OPTION_COUNTS:
        count = figures["by_option_count"].get(str(size), 0)
        if count / total < MIN_KIND_SHARE:
            findings.append(
                LintFinding(
                    "variety",
                    f"{count} of {total} quizzes have {size} options; "
                    f"at least {MIN_KIND_SHARE:.0%} should",
                )
            )
    numeric = [quiz.id for quiz in quizzes if is_numeric(quiz)]
    if len(numeric) / total > MAX_NUMERIC_SHARE:
        findings.append(
            LintFinding(
                "arithmetic",
                f"{len(numeric)} of {total} quizzes are arithmetic (every option a number); "
                f"at most a third may be",
                numeric,
            )
        )
    return findings


def _rare(answer: Decimal) -> bool:
    # Three significant digits or more, and not a power of two: 101770, 2560 and 0.625 no
    # text writes by chance, while 0.9 or 0.001 in another topic is a momentum or a learning
    # rate, and 256 or 512 a layer's width.
    integer = answer == answer.to_integral_value() and answer > 0
    power_of_two = integer and int(answer) & (int(answer) - 1) == 0
    return significant_digits(answer) >= LEAK_EVERYWHERE_DIGITS and not power_of_two


def _numeric_leaks(bank: Bank) -> list[LintFinding]:
    # A lesson or interview answer that writes a quiz's distinctive numeric answer gives the
    # quiz away to whoever read it first: any such answer within the topic, and anywhere in
    # the bank a rare one (see _rare).
    answers = [
        (located.item.topic, located.item.id, value)
        for located in bank.quizzes
        for value in distinctive_answers(located.item)
    ]
    texts: list[tuple[str, str, str]] = [
        (located.item.topic, located.item.id, f"{located.item.title}\n{located.item.body}")
        for located in bank.lessons
    ]
    texts += [
        (located.item.topic, located.item.id, "\n".join(located.item.answer))
        for located in bank.interview_questions
    ]
    leaks = []
    for topic, item_id, text in texts:
        written = numbers_in(text)
        for quiz_topic, quiz_id, answer in answers:
            if quiz_topic != topic and not _rare(answer):
                continue
            if any(shows(value, answer) for value in written):
                leaks.append(f"{quiz_id} in {item_id} ({persian_number(answer)})")
    return (
        [
            LintFinding(
                "numeric-leak",
                "lessons and interview answers that write a quiz's numeric answer "
                "(use other numbers in the example)",
                leaks,
            )
        ]
        if leaks
        else []
    )


def _item_texts(bank: Bank) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for quiz in bank.quizzes:
        item = quiz.item
        texts += [(item.id, item.question), *((item.id, option) for option in item.options)]
        if item.explanation:
            texts.append((item.id, item.explanation))
    for interview in bank.interview_questions:
        texts += [(interview.item.id, interview.item.question)]
        texts += [(interview.item.id, bullet) for bullet in interview.item.answer]
    for lesson in bank.lessons:
        texts += [(lesson.item.id, lesson.item.title), (lesson.item.id, lesson.item.body)]
    return texts


def _house_style(bank: Bank) -> list[LintFinding]:
    found: dict[str, list[str]] = {}
    for item_id, text in _item_texts(bank):
        for rule, words in style_breaks(text):
            found.setdefault(rule.name, []).append(f"{item_id} «{words}»")
    return [
        LintFinding(f"house-style-{rule.name}", rule.advice, found[rule.name])
        for rule in STYLE_RULES
        if rule.name in found
    ]


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
        *_length_cues(bank),
        *_option_counts(bank),
        *_multiple_hints(bank),
        *_variety(bank),
        *_numeric_leaks(bank),
        *_house_style(bank),
        *_catch_all_options(bank),
        *_same_question(bank),
        *_explanations(bank),
        *_persian(bank),
        *_arabic_letters(content_dir),
        *_bullets(bank),
        *_demo_links(bank),
    ]
