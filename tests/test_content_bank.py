"""The bank shipped in content/ is valid, large and broad enough to run a channel on."""

from bot.bank.loader import load_bank
from bot.bank.stats import bank_stats
from bot.config import DEFAULT_CONTENT_DIR

BANK = load_bank(DEFAULT_CONTENT_DIR)  # raises, naming every problem, if the bank is invalid
STATS = bank_stats(BANK)
DEMO_TOPICS = {"activations": "activations", "optimizers": "optimizers", "gradients": "gradients"}


def test_bank_has_the_planned_size() -> None:
    # Lower bounds only: topics are added over time, and no topic need match another's size.
    assert STATS["quizzes"]["total"] >= 190
    assert STATS["interview_questions"]["total"] >= 50
    assert STATS["lessons"]["total"] >= 30


def test_stats_count_every_topic_of_topics_yaml_and_add_up() -> None:
    assert list(STATS["topics"]) == [topic.id for topic in BANK.topics]
    for kind in ("quizzes", "interview_questions", "lessons"):
        per_topic = sum(counts[kind] for counts in STATS["topics"].values())
        assert per_topic == STATS[kind]["total"], kind
    mix = STATS["variety"]
    assert sum(mix["by_option_count"].values()) == mix["quizzes"] == STATS["quizzes"]["total"]


def test_every_topic_is_covered() -> None:
    for topic, counts in STATS["topics"].items():
        assert counts["quizzes"] >= 8, topic
        assert counts["interview_questions"] >= 2, topic
        assert counts["lessons"] >= 1, topic


def test_difficulty_is_spread() -> None:
    total = STATS["quizzes"]["total"]
    for level, count in STATS["quizzes"]["by_difficulty"].items():
        assert count >= total // 5, f"too few quizzes of difficulty {level}"


def test_enough_quizzes_carry_a_checked_claim() -> None:
    assert STATS["quizzes"]["with_claim"] >= 65


def test_demo_ideas_link_their_demo() -> None:
    for topic, demo in DEMO_TOPICS.items():
        linked = [q.item for q in BANK.quizzes if q.item.topic == topic and q.item.demo == demo]
        assert len(linked) >= 5, topic
    dropout = [q.item for q in BANK.quizzes if "dropout" in q.item.tags]
    assert dropout
    assert all(quiz.demo == "dropout" for quiz in dropout)
