"""A learner's requests, one function each: what they typed or pressed in, an outcome out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import to_latin_digits
from bot.services.learning import catalog, exams
from bot.services.learning.outcomes import (
    BadTestSize,
    Gone,
    InterviewAnswer,
    NextInterview,
    NextQuiz,
    NoInterviews,
    NoQuizzes,
    TestStarted,
    TopicList,
    TopicMenu,
    UnknownTopic,
)
from bot.services.learning.picking import pick_interview, pick_quiz
from bot.services.learning.views import TopicRef

_COUNT = re.compile(r"^[0-9]+$")


async def _topic_named(session: AsyncSession, text: str) -> TopicRef | UnknownTopic | None:
    """The topic the learner typed (None for no topic: the whole bank), or UnknownTopic."""
    text = text.strip()
    if not text:
        return None
    topic = await catalog.find_topic(session, text)
    if topic is None:
        return UnknownTopic(text, await catalog.topic_summaries(session))
    return topic


async def _topic_pressed(session: AsyncSession, topic_id: str | None) -> TopicRef | Gone | None:
    """The topic a button names (None: the whole bank), or Gone when it was retired."""
    if topic_id is None:
        return None
    topic = await catalog.topic_by_id(session, topic_id)
    return Gone() if topic is None else topic


async def _quiz_in(
    session: AsyncSession, learner: str, topic: TopicRef | None
) -> NextQuiz | NoQuizzes:
    pick = await pick_quiz(session, learner, topic.id if topic else None)
    if pick is None:
        return NoQuizzes()
    return NextQuiz(pick.quiz, topic, pick.repeated)


async def quiz_by_name(
    session: AsyncSession, learner: str, topic_text: str
) -> NextQuiz | NoQuizzes | UnknownTopic:
    """/quiz [topic]: an unseen quiz of the typed topic (id or Persian title) or of the bank."""
    topic = await _topic_named(session, topic_text)
    if isinstance(topic, UnknownTopic):
        return topic
    return await _quiz_in(session, learner, topic)


async def quiz_by_button(
    session: AsyncSession, learner: str, topic_id: str | None
) -> NextQuiz | NoQuizzes | Gone:
    """A "quiz" or "next quiz" button: an unseen quiz of its topic."""
    topic = await _topic_pressed(session, topic_id)
    if isinstance(topic, Gone):
        return topic
    return await _quiz_in(session, learner, topic)


def _split_size(words: Sequence[str]) -> tuple[str, int | None]:
    """Topic words and an optional trailing count, typed in Latin or Persian digits."""
    if words and _COUNT.match(to_latin_digits(words[-1])):
        return " ".join(words[:-1]), int(to_latin_digits(words[-1]))
    return " ".join(words), None


async def start_test_by_words(
    session: AsyncSession, learner: str, words: Sequence[str], now: datetime
) -> TestStarted | NoQuizzes | UnknownTopic | BadTestSize:
    """/test [topic] [n]: open a test of n quizzes (default 5) on the topic or the bank."""
    topic_text, size = _split_size(words)
    if size is not None and not exams.MIN_SIZE <= size <= exams.MAX_SIZE:
        return BadTestSize(exams.MIN_SIZE, exams.MAX_SIZE)
    topic = await _topic_named(session, topic_text)
    if isinstance(topic, UnknownTopic):
        return topic
    return await exams.start(session, learner, topic, size or exams.DEFAULT_SIZE, now)


async def start_test_by_button(
    session: AsyncSession, learner: str, topic_id: str | None, now: datetime
) -> TestStarted | NoQuizzes | Gone:
    """A topic menu's "test" button: a test of the default size on that topic."""
    topic = await _topic_pressed(session, topic_id)
    if isinstance(topic, Gone):
        return topic
    return await exams.start(session, learner, topic, exams.DEFAULT_SIZE, now)


async def _interview_in(
    session: AsyncSession, learner: str, topic: TopicRef | None
) -> NextInterview | NoInterviews:
    pick = await pick_interview(session, learner, topic.id if topic else None)
    if pick is None:
        return NoInterviews()
    return NextInterview(pick.question, topic, pick.repeated)


async def interview_by_name(
    session: AsyncSession, learner: str, topic_text: str
) -> NextInterview | NoInterviews | UnknownTopic:
    """/interview [topic]: an unseen interview question of the topic or of the bank."""
    topic = await _topic_named(session, topic_text)
    if isinstance(topic, UnknownTopic):
        return topic
    return await _interview_in(session, learner, topic)


async def interview_by_button(
    session: AsyncSession, learner: str, topic_id: str | None
) -> NextInterview | NoInterviews | Gone:
    """A topic menu's "interview" button."""
    topic = await _topic_pressed(session, topic_id)
    if isinstance(topic, Gone):
        return topic
    return await _interview_in(session, learner, topic)


async def reveal_answer(session: AsyncSession, question_id: str) -> InterviewAnswer | Gone:
    """The "show the answer" button of an interview question."""
    question = await catalog.active_interview(session, question_id)
    return Gone() if question is None else InterviewAnswer(question)


async def topics(session: AsyncSession) -> TopicList:
    """/topics: every topic with its counts."""
    return TopicList(await catalog.topic_summaries(session))


async def topic_menu(session: AsyncSession, topic_id: str) -> TopicMenu | Gone:
    """A topic button: what can be done with the topic."""
    topic = await catalog.topic_by_id(session, topic_id)
    return Gone() if topic is None else TopicMenu(topic, exams.DEFAULT_SIZE)


async def open_link(
    session: AsyncSession, learner: str, kind: str, item_id: str
) -> NextQuiz | NextInterview | Gone:
    """A deep link (`quiz_<id>`, `interview_<id>`): that very item, if it is still served."""
    if kind == "quiz":
        quiz = await catalog.active_quiz(session, item_id)
        if quiz is not None:
            topic = await catalog.topic_by_id(session, quiz.topic_id)
            return NextQuiz(quiz, topic, repeated=False)
    elif kind == "interview":
        question = await catalog.active_interview(session, item_id)
        if question is not None:
            return NextInterview(question, None, repeated=False)
    return Gone()
