"""The games tick: every second, the due step of each running group game, sent to Telegram.

The steps are decided in the database (`bot.services.groups.games`); this module makes the
Bot API calls and records what Telegram answered. Polls go out as quizzes that are not
anonymous (so the answers arrive) with `open_period`, so Telegram closes each one itself when
its time is up; the tick stops it too, and takes Telegram's "poll has already been closed"
as the expected answer it mostly is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Bot, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.learning.polls import numbered, quiz_poll
from bot.handlers.replies import with_retry
from bot.handlers.work import renders
from bot.limits import MAX_MESSAGE_LENGTH, fit
from bot.persian import fa_number
from bot.runtime import Runtime
from bot.services.groups import games
from bot.services.groups.names import NAME_LENGTH
from bot.services.groups.outcomes import PlayerAnswered

log = logging.getLogger(__name__)
GAMES_JOB = "group-games"
TICK_SECONDS = 1.0


async def run_games_tick(bot: Bot, runtime: Runtime) -> int:
    """Take every due step of the running games; the number of steps taken.

    Ticks of one process run one after another; other processes are kept apart by the row
    lock each step is claimed under.
    """
    async with runtime.games_lock:
        async with runtime.read_sessions() as session:
            due = await games.due_games(session, runtime.now())
        taken = 0
        for game_id in due:
            async with runtime.sessions.begin() as session:
                step = await games.claim_step(session, game_id, runtime.now())
            if step is not None:
                await _take(bot, runtime, step)
                taken += 1
        return taken


async def games_job(context: QuizbotContext) -> None:
    """The JobQueue callback, every second."""
    try:
        await run_games_tick(context.bot, context.runtime)
    except Exception:
        log.exception("games tick failed; the next tick tries again")


async def _take(bot: Bot, runtime: Runtime, step: games.Step) -> None:
    chat_id = runtime.sealer.unseal(step.sealed_chat)
    if chat_id is None:  # sealed under another key: the group cannot be reached
        await _abandon(runtime, step.game_id)
        return
    try:
        if isinstance(step, games.AskQuestion):
            await _ask(bot, runtime, chat_id, step)
        elif isinstance(step, games.CloseQuestion):
            await _close(bot, chat_id, step)
        else:
            text = leaderboard_text(step, await runtime.player_names.names_of(step.game_id))
            await runtime.player_names.forget_game(step.game_id)
            await with_retry(lambda: bot.send_message(chat_id, text))
    except (Forbidden, ChatMigrated) as error:
        # Removed from the group, or it became a supergroup (a new id): nothing more to say.
        log.info("group game %s ends: Telegram refused (%s)", step.game_id, error)
        await _abandon(runtime, step.game_id)
    except TelegramError as error:
        log.warning("group game %s: a step failed (%s); the game goes on", step.game_id, error)


async def _abandon(runtime: Runtime, game_id: int) -> None:
    async with runtime.sessions.begin() as session:
        await games.abandon(session, game_id, runtime.now())
    await runtime.player_names.forget_game(game_id)


async def _ask(bot: Bot, runtime: Runtime, chat_id: int, step: games.AskQuestion) -> None:
    quiz = step.quiz
    size = step.size if step.size > 1 else None  # a single question is not numbered
    try:
        question = numbered(quiz.question, step.position if size else None, size)
        poll = quiz_poll(quiz, question, step.timer_seconds)
        message = await with_retry(lambda: bot.send_poll(chat_id=chat_id, **poll))
    except BadRequest as error:
        # "chat not found", "not enough rights to send polls": the group will not take them.
        log.info("group game %s ends: the poll was refused (%s)", step.game_id, error)
        await _abandon(runtime, step.game_id)
        return
    except (Forbidden, ChatMigrated):
        raise
    except TelegramError as error:
        # No answer (a timeout may still have delivered it): never sent twice, go on.
        log.warning("group game %s: question %s lost (%s)", step.game_id, step.position, error)
        async with runtime.sessions.begin() as session:
            await games.question_lost(session, step.game_id, runtime.now())
        return
    if message.poll is None:
        raise RuntimeError("sendPoll returned a message without a poll")
    async with runtime.sessions.begin() as session:
        await games.question_sent(
            session,
            step.game_id,
            step.position,
            message.poll.id,
            message.message_id,
            runtime.now(),
        )


async def _close(bot: Bot, chat_id: int, step: games.CloseQuestion) -> None:
    try:
        await with_retry(lambda: bot.stop_poll(chat_id, step.message_id))
    except BadRequest as error:
        # Mostly "poll has already been closed": Telegram's open_period came first.
        log.info("group game %s: poll not stopped (%s)", step.game_id, error)


def leaderboard_text(over: games.GameOver, names: Mapping[str, str]) -> str:
    """The leaderboard: medals, names (or «بازیکن N» where the name was lost), scores."""
    if over.cut_short:
        title = texts.LEADERBOARD_CUT_SHORT.format(
            asked=fa_number(over.asked), size=fa_number(over.size)
        )
    elif over.size == 1:
        title = texts.LEADERBOARD_QUIZ_TITLE
    else:
        title = texts.LEADERBOARD_TITLE.format(size=fa_number(over.size))
    lines = [title, ""]
    if not over.standings:
        lines.append(texts.LEADERBOARD_EMPTY)
    for index, standing in enumerate(over.standings):
        medals = texts.LEADERBOARD_MEDALS
        rank = (
            medals[index]
            if index < len(medals)
            else texts.LEADERBOARD_RANK.format(number=fa_number(index + 1))
        )
        name = names.get(standing.player) or texts.GAME_PLAYER.format(
            number=fa_number(standing.number)
        )
        lines.append(
            texts.LEADERBOARD_LINE.format(
                rank=rank,
                name=fit(" ".join(name.split()), NAME_LENGTH),
                correct=fa_number(standing.correct),
                seconds=fa_number(standing.time_ms / 1000, decimals=1),
            )
        )
    if over.players > len(over.standings):
        rest = over.players - len(over.standings)
        lines.append(texts.LEADERBOARD_MORE.format(count=fa_number(rest)))
    lines += ["", texts.LEADERBOARD_FOOTER]
    return fit("\n".join(lines), MAX_MESSAGE_LENGTH)


@renders(PlayerAnswered)
async def remember_player(update: Update, context: QuizbotContext, outcome: PlayerAnswered) -> None:
    """A counted answer shows nothing in the group; its first name is kept in memory only."""
    answer = update.poll_answer
    if answer is not None and answer.user is not None:
        await context.runtime.player_names.remember(
            outcome.game_id, outcome.player, answer.user.first_name
        )
