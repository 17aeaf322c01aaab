"""The bank shipped in content/ is valid and large enough to run a channel on."""

from bot.bank.loader import load_bank
from bot.bank.stats import bank_stats
from bot.config import DEFAULT_CONTENT_DIR


def test_shipped_bank_is_valid_and_has_the_starter_sizes() -> None:
    stats = bank_stats(load_bank(DEFAULT_CONTENT_DIR))  # raises, naming every problem
    assert stats["quizzes"]["total"] >= 30
    assert stats["interview_questions"]["total"] >= 10
    assert stats["lessons"]["total"] >= 5
    assert all(count > 0 for count in stats["quizzes"]["by_difficulty"].values())
