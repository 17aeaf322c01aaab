"""What kind of quiz an item is (numeric, multiple-answer, "which is NOT true"), and the bank's mix.

The lint holds the bank to a mix of these kinds and `quizbot content stats` reports it; both
read the definitions here, which content/README.md documents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.bank.normalize import ZWNJ, to_latin_digits, to_persian_digits
from bot.bank.schema import QuizItem
from bot.limits import telegram_length

# A number as an option writes it: a sign or «≈», digits with thousands separators (, ٬), a
# decimal separator (. ٫) and an optional percent sign. Digits may be Persian or Latin.
_NUMBER_OPTION = re.compile(
    r"[≈~]?\s*[-−+]?\s*(?:\d{1,3}(?:[,٬]\d{3})+|\d+)(?:[.٫]\d+)?\s*[%٪]?",
)
# A number inside prose: not glued to a Latin letter (ResNet50, L2, Conv2d name no number).
_NUMBER_IN_TEXT = re.compile(
    r"(?<![A-Za-z_\d.٫,٬])(?:\d{1,3}(?:[,٬]\d{3})+|\d+)(?:[.٫]\d+)?(?![A-Za-z_\d])"
)
# «کدوم گزینه درست نیست؟», «کدوم گزاره نادرسته؟», «… صحیح نیست؟»
_NOT_TRUE = re.compile(rf"درست[\s{ZWNJ}]*نیست|نادرست|صحیح[\s{ZWNJ}]*نیست")
OPTION_COUNTS = (2, 3, 4, 5)


def is_numeric(quiz: QuizItem) -> bool:
    """True when every option is a number (Persian or Latin digits, separators, sign, %)."""
    return all(_NUMBER_OPTION.fullmatch(to_latin_digits(option).strip()) for option in quiz.options)


def is_not_true(quiz: QuizItem) -> bool:
    """A single-answer "which is NOT true" quiz: its question asks for the false statement."""
    return not quiz.multiple and bool(_NOT_TRUE.search(quiz.question))


def _decimal(text: str) -> Decimal | None:
    latin = to_latin_digits(text).replace("٬", "").replace(",", "").replace("٫", ".")
    try:
        return Decimal(latin)
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[Decimal]:
    """The numbers written in `text` (Persian or Latin digits, ٫ or . decimals), unsigned."""
    found = []
    for match in _NUMBER_IN_TEXT.finditer(to_latin_digits(text)):
        value = _decimal(match.group())
        if value is not None:
            found.append(value)
    return found


def is_distinctive(value: Decimal) -> bool:
    """A number that identifies an answer: not an integer, or with three significant digits.

    128, 2560 and 101770 are; 2, 10, 100 and 1000 (round numbers any text may use) are not.
    """
    return value != value.to_integral_value() or significant_digits(value) >= 3


def significant_digits(value: Decimal) -> int:
    """How many significant digits `value` has: 3 for 128, 2560 and 0.625; 1 for 100 and 0.001."""
    return len(value.normalize().as_tuple().digits)


def distinctive_answers(quiz: QuizItem) -> list[Decimal]:
    """The distinctive numbers a numeric quiz's right options show."""
    if not is_numeric(quiz):
        return []
    answers = []
    for position in quiz.correct:
        answers += numbers_in(quiz.options[position - 1])
    return [value for value in answers if is_distinctive(value)]


def persian_number(value: Decimal) -> str:
    """`value` as the bank writes it: Persian digits and the decimal separator «٫»."""
    return to_persian_digits(format(value, "f").replace(".", "٫"))


def shows(value: Decimal, answer: Decimal) -> bool:
    """True when `value` written in a text gives `answer` away.

    Equal; or written more precisely and equal at the answer's precision («۰٫۶۹۳» gives away
    «۰٫۶۹», but «۰٫۰۹» does not give away «۰٫۱»: one digit says too little); or written less
    precisely but still with three significant digits («۱٫۱۳» gives away «۱٫۱۲۹», while «۱٫۱»
    and «۰٫۷» do not give away «۱٫۱۲۹» and «۰٫۶۹»).
    """
    if value == answer:
        return True
    written, places = (max(0, -int(n.as_tuple().exponent)) for n in (value, answer))
    if written >= places:
        rounded = value.quantize(Decimal(1).scaleb(-places))
        return significant_digits(answer) >= 2 and rounded == answer
    return significant_digits(value) >= 3 and answer.quantize(Decimal(1).scaleb(-written)) == value


@dataclass(frozen=True)
class LengthRank:
    """Where the right option's length stands among the options."""

    shortest: bool  # strictly shorter than every other option
    longest: bool  # strictly longer than every other option
    ratio_to_nearest: float  # right length / nearest other length beyond it (1.0 in the middle)


def length_rank(quiz: QuizItem) -> LengthRank:
    """Where a single-answer quiz's right option's length stands (Telegram's length)."""
    lengths = [telegram_length(option) for option in quiz.options]
    right = lengths[quiz.correct[0] - 1]
    others = [length for i, length in enumerate(lengths) if i != quiz.correct[0] - 1]
    shortest, longest = right < min(others), right > max(others)
    ratio = right / min(others) if shortest else right / max(others) if longest else 1.0
    return LengthRank(shortest, longest, ratio)


def length_checked(quizzes: Iterable[QuizItem]) -> list[QuizItem]:
    """The quizzes the length rules look at: single-answer and not numeric."""
    return [quiz for quiz in quizzes if not quiz.multiple and not is_numeric(quiz)]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def variety(quizzes: list[QuizItem]) -> dict[str, Any]:
    """The mix of quiz kinds, as counts and shares (JSON-ready)."""
    total = len(quizzes)
    sizes = Counter(len(quiz.options) for quiz in quizzes)
    checked = length_checked(quizzes)
    ranks = [length_rank(quiz) for quiz in checked]
    multiple = sum(1 for quiz in quizzes if quiz.multiple)
    not_true = sum(1 for quiz in quizzes if is_not_true(quiz))
    numeric = sum(1 for quiz in quizzes if is_numeric(quiz))
    shortest = sum(1 for rank in ranks if rank.shortest)
    longest = sum(1 for rank in ranks if rank.longest)
    return {
        "quizzes": total,
        "multiple_answer": {"count": multiple, "share": _share(multiple, total)},
        "not_true": {"count": not_true, "share": _share(not_true, total)},
        "numeric": {"count": numeric, "share": _share(numeric, total)},
        "by_option_count": {str(size): sizes[size] for size in sorted(sizes)},
        "length_checked": len(checked),
        "correct_shortest": {"count": shortest, "share": _share(shortest, len(checked))},
        "correct_longest": {"count": longest, "share": _share(longest, len(checked))},
        "with_claim": sum(1 for quiz in quizzes if quiz.claim),
    }
