"""/topics and a topic's menu; how unknown topics and retired items are answered."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import InterviewButton, QuizButton, TestButton, TopicMenuButton
from bot.handlers.learning.keyboards import topics_keyboard
from bot.handlers.replies import quoted, reply
from bot.handlers.work import renders, unit_of_work
from bot.persian import fa_number
from bot.services.learning import practice
from bot.services.learning.outcomes import Gone, TopicList, TopicMenu, UnknownTopic


async def topics_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/topics: every topic with its counts."""
    return await practice.topics(session)


async def topic_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A topic button: what can be done with it."""
    button = TopicMenuButton.pressed(update)
    return None if button is None else await practice.topic_menu(session, button.topic)


@renders(TopicList)
async def show_topics(update: Update, context: QuizbotContext, outcome: TopicList) -> None:
    """The topic list as buttons."""
    await reply(update, texts.TOPICS_HEADER, reply_markup=topics_keyboard(outcome.topics))


@renders(TopicMenu)
async def show_topic_menu(update: Update, context: QuizbotContext, outcome: TopicMenu) -> None:
    """A quiz, a test and an interview question of the topic."""
    topic = outcome.topic.id
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.TOPIC_QUIZ_BUTTON, callback_data=QuizButton(topic).encode()
                ),
                InlineKeyboardButton(
                    texts.TOPIC_TEST_BUTTON.format(size=fa_number(outcome.test_size)),
                    callback_data=TestButton(topic).encode(),
                ),
                InlineKeyboardButton(
                    texts.TOPIC_INTERVIEW_BUTTON, callback_data=InterviewButton(topic).encode()
                ),
            ]
        ]
    )
    await reply(update, texts.TOPIC_MENU.format(title=outcome.topic.title), reply_markup=keyboard)


@renders(UnknownTopic)
async def show_unknown_topic(
    update: Update, context: QuizbotContext, outcome: UnknownTopic
) -> None:
    """The typed topic matches none: the topics there are."""
    await reply(
        update,
        texts.UNKNOWN_TOPIC.format(topic=quoted(outcome.text)),
        reply_markup=topics_keyboard(outcome.topics),
    )


@renders(Gone)
async def show_gone(update: Update, context: QuizbotContext, outcome: Gone) -> str:
    """The item or topic is no longer served (an alert on the button, or a reply)."""
    return texts.ITEM_GONE


def scope_text(title: str | None) -> str:
    """ "the bank" or "topic X", for messages about what was picked from."""
    return texts.SCOPE_TOPIC.format(title=title) if title else texts.SCOPE_ALL


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The topic menu's button (/topics is registered with the other commands)."""
    return [ButtonHandler(TopicMenuButton, unit_of_work(topic_button))]


COMMANDS = {"topics": topics_command}
