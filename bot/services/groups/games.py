"""Group games as a durable state machine: every step is decided from the database.

A game row says how far it got (`asked`) and when it next has something to do (`next_at`);
its questions were chosen, in order, when it started. The games tick asks `claim_step` what
is due: post the next poll, stop the open one, or end with the leaderboard. The step's
intent is committed before the Bot API call and its result after, so a restart (or another
bot process) continues from the database. A game whose step is overdue by more than
`STALE_AFTER` (the bot was away) ends with the scores so far instead: a group that has moved
on should not get the rest of a quiz minutes later.

Pacing: Telegram lets a bot send about 20 messages a minute to one group. Every call a game
makes in its group (its start message, each poll and each stop, the leaderboard) comes at
least `MESSAGE_GAP` after the one before, so any 60 seconds hold at most
floor(60 / 3.5) + 1 = 18 of them, whatever the timer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import to_latin_digits
from bot.db.inserts import insert_once
from bot.db.models import GameAnswer, GameQuestion, GameState, GroupGame, Quiz
from bot.services.groups import settings as group_settings
from bot.services.groups.outcomes import (
    BadGameSize,
    GameAlreadyRunning,
    GameStarted,
    GroupUnknownTopic,
)
from bot.services.learning import catalog
from bot.services.learning.outcomes import NoQuizzes
from bot.services.learning.views import QuizView, TopicRef

GROUP_MESSAGES_PER_MINUTE = 20  # Telegram's limit for one group, roughly
MESSAGE_GAP = timedelta(seconds=3.5)  # > 60 s / 20: see the module's docstring
# How long a claimed send may take before the question counts as lost (a crash mid-send).
SEND_LEASE = timedelta(seconds=30)
# Longer than the longest timer, so a poll left open by a restart has closed in Telegram.
STALE_AFTER = timedelta(minutes=5)
TOP_PLAYERS = 10  # shown on the leaderboard; the rest are counted

_COUNT = re.compile(r"^[0-9]{1,6}$")


@dataclass(frozen=True)
class AskQuestion:
    """Post the game's next poll."""

    game_id: int
    sealed_chat: str
    position: int
    size: int
    timer_seconds: int
    quiz: QuizView


@dataclass(frozen=True)
class CloseQuestion:
    """Stop the open poll (Telegram may have closed it already, at its open_period)."""

    game_id: int
    sealed_chat: str
    message_id: int


@dataclass(frozen=True)
class Standing:
    """One player's place: `number` is the order they joined in (for «بازیکن N»)."""

    player: str
    number: int
    correct: int
    answered: int
    time_ms: int  # a question sent and left unanswered counts its whole timer


@dataclass(frozen=True)
class GameOver:
    """Send the leaderboard: the game finished, or was cut short with the scores so far."""

    game_id: int
    sealed_chat: str
    size: int
    asked: int  # questions whose poll went out
    cut_short: bool
    standings: tuple[Standing, ...]  # the first TOP_PLAYERS, in rank order
    players: int


Step = AskQuestion | CloseQuestion | GameOver


@dataclass(frozen=True)
class GamePoll:
    """A game's poll an answer names, and whether it still takes answers."""

    game_id: int
    position: int
    quiz_id: str
    sent_at: datetime
    open: bool


def _split_count(words: Sequence[str]) -> tuple[str, int | None]:
    """Topic words and an optional trailing count, in Latin or Persian digits."""
    if words and _COUNT.match(to_latin_digits(words[-1])):
        return " ".join(words[:-1]), int(to_latin_digits(words[-1]))
    return " ".join(words), None


async def running_game(session: AsyncSession, group: str) -> GroupGame | None:
    """The group's game in play, if any."""
    return await session.scalar(select(GroupGame).where(GroupGame.running_in == group))


async def _pick(session: AsyncSession, group: str, topic_id: str | None, size: int) -> list[str]:
    """Up to `size` quizzes at random, those the group has not played before first."""
    played = (
        select(GameQuestion.quiz_id)
        .join(GroupGame, GroupGame.id == GameQuestion.game_id)
        .where(GroupGame.group_hash == group)
    )
    query = select(Quiz.id).where(*catalog.servable_quizzes())
    if topic_id is not None:
        query = query.where(Quiz.topic_id == topic_id)
    query = query.order_by(Quiz.id.in_(played), func.random()).limit(size)
    return list(await session.scalars(query))


async def start_game(
    session: AsyncSession,
    group: str,
    sealed_chat: str,
    words: Sequence[str],
    now: datetime,
    *,
    single: bool = False,
) -> GameStarted | GameAlreadyRunning | GroupUnknownTopic | BadGameSize | NoQuizzes:
    """/game [topic] [n] (or, `single`, /quiz [topic]: one question): open a game.

    Without a topic the group's default topic is played, without n its number of questions.
    """
    current = await running_game(session, group)
    if current is not None:
        return GameAlreadyRunning(current.asked, current.size)
    chosen = await group_settings.settings_of(session, group)
    topic_text, count = (" ".join(words), None) if single else _split_count(words)
    topic: TopicRef | None = chosen.topic
    if topic_text.strip():
        topic = await catalog.find_topic(session, topic_text)
        if topic is None:
            return GroupUnknownTopic(topic_text.strip(), await catalog.topic_summaries(session))
    low, high = group_settings.SIZE_LOW, group_settings.SIZE_HIGH
    if count is not None and not low <= count <= high:
        return BadGameSize(low, high)
    requested = 1 if single else count or chosen.questions
    quizzes = await _pick(session, group, topic.id if topic else None, requested)
    if not quizzes:
        return NoQuizzes()
    game = GroupGame(
        group_hash=group,
        running_in=group,
        sealed_chat=sealed_chat,
        topic_id=topic.id if topic else None,
        size=len(quizzes),
        timer_seconds=chosen.timer_seconds,
        state=GameState.RUNNING,
        asked=0,
        # The start message goes out now; the first poll one gap later.
        next_at=now + MESSAGE_GAP,
        started_at=now,
    )
    try:
        async with session.begin_nested():  # another process may have started one just now
            session.add(game)
            await session.flush()
    except IntegrityError:
        return GameAlreadyRunning(0, len(quizzes))
    session.add_all(
        GameQuestion(game_id=game.id, position=number, quiz_id=quiz_id)
        for number, quiz_id in enumerate(quizzes, start=1)
    )
    return GameStarted(game.id, len(quizzes), requested, chosen.timer_seconds, topic)


async def due_games(session: AsyncSession, now: datetime) -> list[int]:
    """The running games with a step due."""
    return list(
        await session.scalars(
            select(GroupGame.id)
            .where(GroupGame.state == GameState.RUNNING, GroupGame.next_at <= now)
            .order_by(GroupGame.next_at)
        )
    )


async def claim_step(session: AsyncSession, game_id: int, now: datetime) -> Step | None:
    """The game's due step, with its intent recorded; None when nothing is due (or another
    process holds it)."""
    game = await session.scalar(
        select(GroupGame)
        .where(
            GroupGame.id == game_id,
            GroupGame.state == GameState.RUNNING,
            GroupGame.next_at <= now,
        )
        .with_for_update(skip_locked=True)
    )
    if game is None:
        return None
    current = await session.get(GameQuestion, (game.id, game.asked)) if game.asked else None
    is_open = current is not None and current.poll_id is not None and current.stopped_at is None
    if now - game.next_at > STALE_AFTER:
        # Telegram closed an open poll at its open_period long ago: nothing to stop.
        if current is not None and is_open:
            current.stopped_at = now
        remaining = game.asked < game.size or is_open
        return await _finish(session, game, now, cut_short=remaining)
    if current is not None and is_open:
        current.stopped_at = now
        game.next_at = now + MESSAGE_GAP
        assert current.message_id is not None
        return CloseQuestion(game.id, game.sealed_chat, current.message_id)
    if game.asked < game.size:
        # A question claimed but never recorded as sent (a crash or a failed send) is
        # passed over: its poll may be in the group, and a second copy would confuse.
        game.asked += 1
        question = await session.get(GameQuestion, (game.id, game.asked))
        quiz = (
            await session.scalar(select(Quiz).where(Quiz.id == question.quiz_id))
            if question
            else None
        )
        if quiz is None:  # cannot happen: quizzes are retired, never deleted
            game.next_at = now
            return None
        game.next_at = now + SEND_LEASE
        return AskQuestion(
            game.id,
            game.sealed_chat,
            game.asked,
            game.size,
            game.timer_seconds,
            QuizView.of(quiz),
        )
    return await _finish(session, game, now, cut_short=False)


async def question_sent(
    session: AsyncSession,
    game_id: int,
    position: int,
    poll_id: str,
    message_id: int,
    now: datetime,
) -> None:
    """Telegram took the poll: it is open for answers until its timer runs out."""
    game = await session.get(GroupGame, game_id)
    question = await session.get(GameQuestion, (game_id, position))
    if game is None or question is None:
        return
    question.poll_id, question.message_id = poll_id, message_id
    question.sent_at = now
    question.closes_at = now + timedelta(seconds=game.timer_seconds)
    if game.state is GameState.RUNNING:
        game.next_at = question.closes_at


async def question_lost(session: AsyncSession, game_id: int, now: datetime) -> None:
    """The poll could not be sent (Telegram did not answer): go on with the next question."""
    game = await session.get(GroupGame, game_id)
    if game is not None and game.state is GameState.RUNNING:
        game.next_at = now + MESSAGE_GAP


async def abandon(session: AsyncSession, game_id: int, now: datetime) -> None:
    """The group refuses the bot's messages (it was removed, or may not post): stop there."""
    game = await session.get(GroupGame, game_id)
    if game is not None and game.state is GameState.RUNNING:
        game.state, game.running_in, game.finished_at = GameState.ABANDONED, None, now


async def _finish(
    session: AsyncSession, game: GroupGame, now: datetime, *, cut_short: bool
) -> GameOver:
    game.state = GameState.CUT_SHORT if cut_short else GameState.FINISHED
    game.running_in, game.finished_at = None, now
    await session.flush()
    asked = await session.scalar(
        select(func.count())
        .select_from(GameQuestion)
        .where(GameQuestion.game_id == game.id, GameQuestion.sent_at.is_not(None))
    )
    standings = await leaderboard(session, game.id, int(asked or 0), game.timer_seconds)
    return GameOver(
        game.id,
        game.sealed_chat,
        game.size,
        int(asked or 0),
        cut_short,
        standings[:TOP_PLAYERS],
        len(standings),
    )


async def leaderboard(
    session: AsyncSession, game_id: int, asked: int, timer_seconds: int
) -> tuple[Standing, ...]:
    """Every player of the game ranked: right answers first, then total answer time."""
    per_player = (
        select(
            GameAnswer.player_hash.label("player"),
            func.sum(case((GameAnswer.is_correct, 1), else_=0)).label("correct"),
            func.count().label("answered"),
            func.sum(GameAnswer.answer_ms).label("ms"),
            func.min(GameAnswer.answered_at).label("joined"),
        )
        .where(GameAnswer.game_id == game_id)
        .group_by(GameAnswer.player_hash)
        .subquery()
    )
    time_ms = per_player.c.ms + (asked - per_player.c.answered) * (timer_seconds * 1000)
    number = func.row_number().over(order_by=(per_player.c.joined, per_player.c.player))
    ranked = select(
        per_player.c.player,
        number.label("number"),
        per_player.c.correct,
        per_player.c.answered,
        time_ms.label("time_ms"),
    ).subquery()
    rows = await session.execute(
        select(ranked).order_by(ranked.c.correct.desc(), ranked.c.time_ms, ranked.c.number)
    )
    return tuple(
        Standing(str(player), int(number), int(correct), int(answered), int(time))
        for player, number, correct, answered, time in rows
    )


async def game_poll(session: AsyncSession, poll_id: str, now: datetime) -> GamePoll | None:
    """The game question whose poll this is; None when the poll is no game's."""
    row = (
        await session.execute(
            select(GameQuestion, GroupGame.state)
            .join(GroupGame, GroupGame.id == GameQuestion.game_id)
            .where(GameQuestion.poll_id == poll_id)
        )
    ).first()
    if row is None:
        return None
    question, state = row
    if question.sent_at is None or question.closes_at is None:
        return None
    # Answers count while the timer runs: not after it, nor once the poll was stopped.
    is_open = (
        state is GameState.RUNNING and question.stopped_at is None and now < question.closes_at
    )
    return GamePoll(
        question.game_id, question.position, question.quiz_id, question.sent_at, is_open
    )


async def record_answer(
    session: AsyncSession, poll: GamePoll, player: str, correct: bool, now: datetime
) -> bool:
    """Count a player's first answer to the poll; False when they had answered it already."""
    elapsed = max(0, int((now - poll.sent_at).total_seconds() * 1000))
    return await insert_once(
        session,
        GameAnswer,
        {
            "game_id": poll.game_id,
            "position": poll.position,
            "player_hash": player,
            "is_correct": correct,
            "answer_ms": elapsed,
            "answered_at": now,
        },
        key=("game_id", "position", "player_hash"),
    )
