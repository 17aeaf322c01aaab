"""Keyboards learners see: the menu under the input field, "next quiz", the topic list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot import texts
from bot.handlers.demos import DemoPanelButton
from bot.handlers.learning.buttons import QuizButton, TopicMenuButton
from bot.persian import fa_number
from bot.services.learning.catalog import TopicSummary


def menu_keyboard() -> ReplyKeyboardMarkup:
    """The learner's main menu under the input field."""
    return ReplyKeyboardMarkup([list(row) for row in texts.MENU_ROWS], resize_keyboard=True)


def next_quiz_keyboard(topic_id: str | None, demo: str | None = None) -> InlineKeyboardMarkup:
    """A "next quiz" button for the same topic, and the demo that shows the idea if any."""
    row = [
        InlineKeyboardButton(texts.NEXT_QUIZ_BUTTON, callback_data=QuizButton(topic_id).encode())
    ]
    if demo is not None:
        row.append(
            InlineKeyboardButton(
                texts.DEMO_OFFER_BUTTON, callback_data=DemoPanelButton(demo).encode()
            )
        )
    return InlineKeyboardMarkup([row])


def topics_keyboard(topics: tuple[TopicSummary, ...]) -> InlineKeyboardMarkup:
    """A button per topic with its quiz and interview counts."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.TOPIC_BUTTON.format(
                        title=topic.title,
                        quizzes=fa_number(topic.quizzes),
                        interviews=fa_number(topic.interviews),
                    ),
                    callback_data=TopicMenuButton(topic.id).encode(),
                )
            ]
            for topic in topics
        ]
    )
