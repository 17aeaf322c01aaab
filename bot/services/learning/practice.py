"""A learner's requests, one function each: what they typed or pressed in, an outcome out."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

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
    TestChoice,
    TestStarted,
    TopicList,
    TopicMenu,
    UnknownTopic,
)
from bot.services.learning.picking import pick_interview, pick_quiz
from bot.services.learning.views import TopicRef

_COUNT = re.compile(r"^[0-9]+$")
Served = TypeVar("Served")
# What serves a learner from a topic (None: the whole bank).
Serve = Callable[[TopicRef | None], Awaitable[Served]]


async def _in_named_topic(
    session: AsyncSession,
    text: str,
    serve: Callable[[TopicRef | None], Awaitable[Served]],
) -> Served | UnknownTopic:
    """Serve from the topic the learner typed (id or Persian title; none: the whole bank)."""
    text = text.strip()
    if not text:
        return await serve(None)
    topic = await catalog.find_topic(session, text)
    if topic is None:
        return UnknownTopic(text, await catalog.topic_summaries(session))
    return await serve(topic)


async def _in_pressed_topic(
    session: AsyncSession,
    topic_id: str | None,
    serve: Callable[[TopicRef | None], Awaitable[Served]],
) -> Served | Gone:
    """Serve from the topic a button names (None: the whole bank); Gone when it is retired."""
    if topic_id is None:
        return await serve(None)
    topic = await catalog.topic_by_id(session, topic_id)
    return Gone() if topic is None else await serve(topic)


def _quizzes(session: AsyncSession, learner: str) -> Serve[NextQuiz | NoQuizzes]:
    async def serve(topic: TopicRef | None) -> NextQuiz | NoQuizzes:
        pick = await pick_quiz(session, learner, topic.id if topic else None)
        return NoQuizzes() if pick is None else NextQuiz(pick.quiz, topic, pick.repeated)

    return serve


def _interviews(session: AsyncSession, learner: str) -> Serve[NextInterview | NoInterviews]:
    async def serve(topic: TopicRef | None) -> NextInterview | NoInterviews:
        pick = await pick_interview(session, learner, topic.id if topic else None)
        if pick is None:
            return NoInterviews()
        return NextInterview(pick.question, topic, pick.repeated)

    return serve


def _test_choices(session: AsyncSession, size: int) -> Serve[TestChoice | NoQuizzes]:
    async def serve(topic: TopicRef | None) -> TestChoice | NoQuizzes:
        return await exams.choose(session, topic, size)

    return serve


def _tests(
    session: AsyncSession,
    learner: str,
    size: int,
    now: datetime,
    seconds: int | None,
    sealed_chat: str,
) -> Serve[TestStarted | NoQuizzes]:
    async def serve(topic: TopicRef | None) -> TestStarted | NoQuizzes:
        return await exams.start(
            session, learner, topic, size, now, seconds=seconds, sealed_chat=sealed_chat
        )

    return serve


async def quiz_by_name(
    session: AsyncSession, learner: str, topic_text: str
) -> NextQuiz | NoQuizzes | UnknownTopic:
    """/quiz [topic]: an unseen quiz of the typed topic (id or Persian title) or of the bank."""
    return await _in_named_topic(session, topic_text, _quizzes(session, learner))


async def quiz_by_button(
    session: AsyncSession, learner: str, topic_id: str | None
) -> NextQuiz | NoQuizzes | Gone:
    """A "quiz" or "next quiz" button: an unseen quiz of its topic."""
    return await _in_pressed_topic(session, topic_id, _quizzes(session, learner))


def _split_size(words: Sequence[str]) -> tuple[str, int | None]:
    """Topic words and an optional trailing count, typed in Latin or Persian digits."""
    if words and _COUNT.match(to_latin_digits(words[-1])):
        return " ".join(words[:-1]), int(to_latin_digits(words[-1]))
    return " ".join(words), None


async def start_test_by_words(
    session: AsyncSession, words: Sequence[str]
) -> TestChoice | NoQuizzes | UnknownTopic | BadTestSize:
    """/test [topic] [n]: a test of n quizzes (default 5) on the topic or the bank; timed?"""
    topic_text, size = _split_size(words)
    if size is not None and not exams.MIN_SIZE <= size <= exams.MAX_SIZE:
        return BadTestSize(exams.MIN_SIZE, exams.MAX_SIZE)
    serve = _test_choices(session, size or exams.DEFAULT_SIZE)
    return await _in_named_topic(session, topic_text, serve)


async def start_test_by_button(
    session: AsyncSession, topic_id: str | None
) -> TestChoice | NoQuizzes | Gone:
    """A topic menu's "test" button: a test of the default size on that topic; timed?"""
    serve = _test_choices(session, exams.DEFAULT_SIZE)
    return await _in_pressed_topic(session, topic_id, serve)


async def start_chosen_test(
    session: AsyncSession,
    learner: str,
    topic_id: str | None,
    size: int,
    seconds: int,
    now: datetime,
    sealed_chat: str,
) -> TestStarted | NoQuizzes | Gone:
    """The timer button under a test's choice: open it, `seconds` per question (0: untimed).

    The button's values are checked again: its data could have been forged.
    """
    if not exams.MIN_SIZE <= size <= exams.MAX_SIZE or seconds not in (0, *exams.TIMERS):
        return Gone()
    serve = _tests(session, learner, size, now, seconds or None, sealed_chat)
    return await _in_pressed_topic(session, topic_id, serve)


async def interview_by_name(
    session: AsyncSession, learner: str, topic_text: str
) -> NextInterview | NoInterviews | UnknownTopic:
    """/interview [topic]: an unseen interview question of the topic or of the bank."""
    return await _in_named_topic(session, topic_text, _interviews(session, learner))


async def interview_by_button(
    session: AsyncSession, learner: str, topic_id: str | None
) -> NextInterview | NoInterviews | Gone:
    """A topic menu's "interview" button."""
    return await _in_pressed_topic(session, topic_id, _interviews(session, learner))


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
