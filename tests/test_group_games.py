"""Quiz games in groups, handled in process: the real application, the fake Bot API, a clock
the tests move and the games tick called by hand (as its job calls it every second).

A game is driven as it would run: /game in the group, then the clock moves and the tick
posts each poll, stops it when its timer is up and ends with the leaderboard. Telegram's side
is the fake's: a poll with open_period closes itself when the fake's clock (the test's) passes
its close_date, so the bot's own stopPoll meets "poll has already been closed". Tests whose
behaviour rests on no SQL the backends treat differently run on SQLite only; the ranking (an
aggregate with a window function), the answer path and the claims run on both.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.models import (
    Base,
    GameAnswer,
    GameState,
    GroupGame,
    GroupSettings,
    LearnerAnswer,
    ReviewCard,
)
from bot.handlers.groups.engine import run_games_tick
from bot.services.groups.games import MESSAGE_GAP, STALE_AFTER
from tests.fakebot import Call, FakeUser
from tests.fakebot.core import JSON
from tests.harness import Harness, wrong_option
from tests.inprocess import InProcessBot, button_data, methods, of, one

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")
REZA = FakeUser(33_333_333, "Reza", "reza_dl")
OWNER = FakeUser(44_444_444, "Owner", "group_owner")
GROUP: JSON = {"id": -1_001_234_567_890, "type": "supergroup", "title": "یادگیری ماشین"}
GAP = MESSAGE_GAP.total_seconds()
RLM = "\u200f"

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Play:
    """A player's answer to one question: right or wrong, this many seconds after the poll."""

    user: FakeUser
    right: bool
    after: float


async def later(bot: InProcessBot, seconds: float) -> list[Call]:
    """Move the clock on and run one tick; the calls the tick made."""
    bot.clock.advance(seconds=seconds)
    return await bot.games_tick()


async def start_game(bot: InProcessBot, text: str = "/game", by: FakeUser = ALI) -> Call:
    """Start a game in the group; its start message."""
    return one(await bot.say_in_group(GROUP, by, text), "sendMessage")


async def next_poll(bot: InProcessBot) -> Call:
    """The gap after the last message, then the tick posts the next poll."""
    return one(await later(bot, GAP), "sendPoll")


async def play_question(
    bot: InProcessBot, poll: Call, plays: list[Play], timer: float = 30
) -> list[Call]:
    """The players answer as `plays` say, the timer runs out, the tick stops the poll."""
    poll_id = bot.poll_id_of(poll)
    elapsed = 0.0
    for play in sorted(plays, key=lambda p: p.after):
        bot.clock.advance(seconds=play.after - elapsed)
        elapsed = play.after
        option = bot.correct_of(poll_id) if play.right else [bot.wrong_option(poll_id)]
        assert await bot.answer_poll(play.user, poll_id, option) == []  # nothing said
    return await later(bot, timer - elapsed)


async def leaderboard(bot: InProcessBot) -> str:
    """After the last stop, the gap, then the leaderboard: its text."""
    return str(one(await later(bot, GAP), "sendMessage", GROUP["id"]).params["text"])


def lines_of(text: str) -> list[str]:
    return [line.removeprefix(RLM) for line in text.splitlines()]


# --- a whole game ---------------------------------------------------------------------------


# On PostgreSQL: the journey below plays the same on SQLite.
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_three_players_five_questions_ranked_by_right_answers_then_time(
    inproc: InProcessBot,
) -> None:
    started = await start_game(inproc, "/game 5")
    assert "۵ سوالی" in started.params["text"]
    assert "۳۰ ثانیه" in started.params["text"]
    polls = []
    for number in range(1, 6):
        poll = await next_poll(inproc)
        polls.append(poll)
        params = poll.params
        assert params["chat_id"] == GROUP["id"]
        assert params["type"] == "quiz"
        assert params["is_anonymous"] is False
        assert params["open_period"] == 30
        assert params["question"].startswith(f"({'۱۲۳۴۵'[number - 1]}/۵) ")
        plays = [Play(ALI, True, 2), Play(REZA, True, 5)]
        if number < 5:
            plays.append(Play(SARA, True, 1))
        if number == 2:
            plays.append(Play(ALI, False, 3))  # the same player again: the first answer stands
        stopped = await play_question(inproc, poll, plays)
        assert methods(stopped) == ["stopPoll"]
        # Telegram closed the poll at its open_period; the bot's stop was taken calmly.
        assert stopped[0].result is None
        assert inproc.api.poll_closed(inproc.poll_id_of(poll))
    # Sara answers the last poll after its timer: it does not count.
    late = inproc.poll_id_of(polls[-1])
    assert await inproc.answer_poll(SARA, late, inproc.correct_of(late)) == []

    board = lines_of(await leaderboard(inproc))
    assert board[0] == "🏁 پایان بازی! ۵ سوال"
    assert board[2:5] == [
        "🥇 Ali: ۵ درست · ۱۰٫۰ ثانیه",
        "🥈 Reza: ۵ درست · ۲۵٫۰ ثانیه",
        # Four right in 1 s each, the fifth unanswered: its whole timer counts.
        "🥉 Sara: ۴ درست · ۳۴٫۰ ثانیه",
    ]
    assert await inproc.games_tick() == []  # the game is over: nothing more is sent
    assert inproc.runtime.player_names.games() == []  # its names are gone from memory

    # Every counted answer is the player's own, for /me and reviews.
    assert await inproc.count(GameAnswer) == 14
    assert await inproc.count(LearnerAnswer) == 14
    me = one(await inproc.send_text(SARA, "/me"), "sendMessage").params["text"]
    assert "پاسخ‌ها: ۴ — درست: ۴" in me
    async with inproc.runtime.sessions() as session:
        cards = (await session.scalars(select(ReviewCard.learner_hash))).all()
    assert sorted(set(cards)) == sorted(inproc.runtime.person(u.id) for u in (ALI, SARA, REZA))

    # /forget takes a player's game answers too.
    ask = one(await inproc.send_text(REZA, "/forget"), "sendMessage")
    await inproc.press(REZA, inproc.message_of(ask), button_data(ask, "بله"))
    async with inproc.runtime.sessions() as session:
        left = (await session.scalars(select(GameAnswer.player_hash))).all()
    assert inproc.runtime.person(REZA.id) not in left
    assert len(left) == 9


@sqlite_only
async def test_answers_after_the_timer_or_the_stop_do_not_count(inproc: InProcessBot) -> None:
    await start_game(inproc, "/quiz")
    poll = await next_poll(inproc)
    poll_id = inproc.poll_id_of(poll)
    await later(inproc, 30)  # the timer runs out; the tick stops the poll
    # Answers Telegram delivers late (they were in flight) are not stored at all.
    await inproc.answer_poll(ALI, poll_id, inproc.correct_of(poll_id))
    assert await inproc.count(GameAnswer) == 0
    assert await inproc.count(LearnerAnswer) == 0
    board = lines_of(await leaderboard(inproc))
    assert board[0] == "🏁 نتیجهٔ کوییز"
    assert "کسی جواب نداد" in board[2]


# --- restarts -----------------------------------------------------------------------------


@sqlite_only
async def test_a_restart_mid_game_resumes_it_and_numbers_the_players_whose_names_it_lost(
    inproc: InProcessBot,
) -> None:
    await start_game(inproc, "/game 3")
    first = await next_poll(inproc)
    await play_question(inproc, first, [Play(SARA, True, 1), Play(ALI, True, 4)])
    second = await next_poll(inproc)
    inproc.clock.advance(seconds=2)
    second_id = inproc.poll_id_of(second)
    await inproc.answer_poll(REZA, second_id, [inproc.wrong_option(second_id)])

    await inproc.restart()  # the bot process is replaced mid-question: names are gone
    assert inproc.runtime.player_names.games() == []
    # The game goes on from the database: the open poll is stopped when its timer is up.
    stopped = await later(inproc, 28)
    assert methods(stopped) == ["stopPoll"]
    third = await next_poll(inproc)
    assert third.params["question"].startswith("(۳/۳) ")
    # Ali answers after the restart, so the bot knows his name again; Sara and Reza do not.
    await play_question(inproc, third, [Play(ALI, True, 1)])

    board = lines_of(await leaderboard(inproc))
    assert board[0] == "🏁 پایان بازی! ۳ سوال"
    assert board[2:5] == [
        "🥇 Ali: ۲ درست · ۳۵٫۰ ثانیه",  # 4 + 30 (the second unanswered) + 1
        "🥈 بازیکن ۱: ۱ درست · ۶۱٫۰ ثانیه",  # Sara answered first of all
        "🥉 بازیکن ۳: ۰ درست · ۶۲٫۰ ثانیه",
    ]


@sqlite_only
async def test_a_long_outage_ends_the_game_with_the_scores_so_far(inproc: InProcessBot) -> None:
    await start_game(inproc, "/game 4")
    first = await next_poll(inproc)
    await play_question(inproc, first, [Play(ALI, False, 3), Play(SARA, True, 6)])
    await next_poll(inproc)
    await inproc.restart()
    # Down for longer than STALE_AFTER: the group has moved on, the rest is not asked.
    calls = await later(inproc, 30 + STALE_AFTER.total_seconds() + 1)
    assert methods(calls) == ["sendMessage"]  # no poll, no stop: Telegram closed it long ago
    board = lines_of(str(calls[0].params["text"]))
    assert board[0] == "⏹ بازی نیمه‌کاره تموم شد: ربات مدتی در دسترس نبود. امتیازها تا سوال ۲ از ۴:"
    assert board[2:4] == ["🥇 بازیکن ۲: ۱ درست · ۳۶٫۰ ثانیه", "🥈 بازیکن ۱: ۰ درست · ۳۳٫۰ ثانیه"]
    async with inproc.runtime.sessions() as session:
        game = (await session.scalars(select(GroupGame))).one()
    assert game.state is GameState.CUT_SHORT
    assert game.running_in is None
    assert methods(await start_game_calls(inproc)) == ["sendMessage"]  # a new game may start


async def start_game_calls(bot: InProcessBot) -> list[Call]:
    return await bot.say_in_group(GROUP, SARA, "/game")


@sqlite_only
async def test_a_game_ends_quietly_when_the_bot_is_removed_from_the_group(
    inproc: InProcessBot,
) -> None:
    await start_game(inproc, "/game 3")
    await next_poll(inproc)
    inproc.api.departed.add(GROUP["id"])  # removed: Telegram refuses its messages now
    refused = await later(inproc, 30)
    assert methods(refused) == ["stopPoll"]
    assert refused[0].result is None
    assert await later(inproc, GAP) == []  # nothing more is tried
    async with inproc.runtime.sessions() as session:
        game = (await session.scalars(select(GroupGame))).one()
    assert game.state is GameState.ABANDONED


# --- pacing --------------------------------------------------------------------------------


@sqlite_only
async def test_a_game_never_sends_more_than_twenty_messages_a_minute_to_its_group(
    inproc: InProcessBot,
) -> None:
    # PTB's rate limiter waits in real time; the game's own pacing is what is under test.
    inproc.app.bot._rate_limiter = None
    admin_sets(inproc, OWNER)
    await inproc.say_in_group(GROUP, OWNER, "/gamesettings زمان ۱۰")
    await start_game(inproc, "/game 6")  # the whole sample bank, at the shortest timer
    moments = [inproc.clock.now] * 2  # the settings reply and the start message
    while True:
        # The tick at the very moment each step falls due: the fastest a game can ever go.
        async with inproc.runtime.sessions() as session:
            game = (await session.scalars(select(GroupGame))).one()
        if game.state is not GameState.RUNNING:
            break
        inproc.clock.now = max(inproc.clock.now, game.next_at)
        calls = await inproc.games_tick()
        moments += [inproc.clock.now] * len(calls)
    assert len(moments) == 1 + 1 + 6 + 6 + 1  # settings reply, start, polls, stops, board
    window = 60.0
    busiest = max(
        sum(1 for m in moments if 0 <= (m - start).total_seconds() < window) for start in moments
    )
    assert busiest <= 20
    # Each call of the game comes at least the gap after the one before it.
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments[1:])]
    assert min(gaps) >= GAP


# --- settings ------------------------------------------------------------------------------


def admin_sets(bot: InProcessBot, user: FakeUser, status: str = "creator") -> None:
    """Telegram lists `user` as the group's creator (or administrator)."""
    if status == "administrator":
        bot.api.set_admins(GROUP["id"], [user])
    else:
        bot.api.set_member(GROUP["id"], user, status)


async def stored_settings(bot: InProcessBot) -> GroupSettings | None:
    async with bot.runtime.sessions() as session:
        return await session.get(GroupSettings, bot.runtime.group(GROUP["id"]))


@sqlite_only
async def test_only_the_groups_admins_change_its_game_settings(inproc: InProcessBot) -> None:
    admin_sets(inproc, OWNER)
    admin_sets(inproc, REZA, "administrator")
    # A member who types a change is refused and nothing changes.
    refused = await inproc.say_in_group(GROUP, SARA, "/gamesettings زمان ۴۵")
    assert methods(refused) == ["getChatMember", "sendMessage"]
    assert refused[1].params["text"].startswith("⛔️ فقط ادمین‌های گروه")
    assert await stored_settings(inproc) is None
    # A member sees the settings, without buttons.
    shown = one(await inproc.say_in_group(GROUP, SARA, "/gamesettings"), "sendMessage")
    assert "⏱ زمان هر سوال: ۳۰ ثانیه" in shown.params["text"]
    assert "reply_markup" not in shown.params

    # The owner gets the panel; an admin presses one of its buttons.
    panel = one(await inproc.say_in_group(GROUP, OWNER, "/gamesettings"), "sendMessage")
    message = inproc.message_of(panel)
    pressed = await inproc.press(REZA, message, button_data(panel, "۶۰ث"))
    assert methods(pressed) == ["getChatMember", "editMessageText", "answerCallbackQuery"]
    assert "⏱ زمان هر سوال: ۶۰ ثانیه" in pressed[1].params["text"]
    # Sara presses a button of the same panel: an alert, and nothing changes.
    alert = await inproc.press(SARA, message, button_data(panel, "🔢 ۱۰"))
    assert methods(alert) == ["getChatMember", "answerCallbackQuery"]
    assert alert[1].params["text"].startswith("⛔️ فقط ادمین‌های گروه")
    # Promoted a moment ago: Telegram is asked at the press, so it counts.
    admin_sets(inproc, SARA, "administrator")
    topic = await inproc.press(SARA, message, button_data(panel, "شبکه‌های کانولوشنی"))
    assert "📚 موضوع پیش‌فرض: شبکه‌های کانولوشنی" in topic[1].params["text"]
    typed = await inproc.say_in_group(GROUP, OWNER, "/gamesettings تعداد ۲")
    assert "🔢 تعداد سوال‌های هر بازی: ۲" in one(typed, "sendMessage").params["text"]

    saved = await stored_settings(inproc)
    assert saved is not None
    assert (saved.timer_seconds, saved.questions, saved.topic_id) == (60, 2, "cnn")
    # The next game plays by them: two questions of the topic, sixty seconds each.
    started = await start_game(inproc, "/game", by=SARA)
    assert "۲ سوالی موضوع «شبکه‌های کانولوشنی»" in started.params["text"]
    assert (await next_poll(inproc)).params["open_period"] == 60


@sqlite_only
@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/gamesettings زمان ۵", "زمان هر سوال باید بین ۱۰ و ۱۲۰ ثانیه باشه."),
        ("/gamesettings تعداد 50", "تعداد سوال‌ها باید بین ۱ و ۲۰ باشه."),
        ("/gamesettings موضوع فیزیک", "این موضوع رو پیدا نکردم"),
        ("/gamesettings رنگ آبی", "این‌طوری بنویسید: /gamesettings زمان ۴۵"),
    ],
)
async def test_settings_out_of_range_are_explained(
    inproc: InProcessBot, text: str, answer: str
) -> None:
    admin_sets(inproc, OWNER)
    reply = one(await inproc.say_in_group(GROUP, OWNER, text), "sendMessage")
    assert reply.params["text"].startswith(answer)
    assert await stored_settings(inproc) is None


@sqlite_only
async def test_an_anonymous_admin_writing_as_the_group_changes_its_settings(
    inproc: InProcessBot,
) -> None:
    calls = await inproc.say_in_group(GROUP, SARA, "/gamesettings زمان ۲۰", as_group=True)
    assert methods(calls) == ["sendMessage"]  # only an admin can write as the group
    saved = await stored_settings(inproc)
    assert saved is not None
    assert saved.timer_seconds == 20


@sqlite_only
async def test_a_poll_telegram_did_not_take_is_passed_over_and_the_game_goes_on(
    inproc: InProcessBot,
) -> None:
    await start_game(inproc, "/game 2")
    for _ in range(3):  # every attempt of the first poll fails
        inproc.api.fail_next("sendPoll", 502)
    failed = await later(inproc, GAP)
    assert methods(failed) == ["sendPoll"] * 3
    second = await next_poll(inproc)
    assert second.params["question"].startswith("(۲/۲) ")
    await play_question(inproc, second, [Play(ALI, True, 2)])
    board = lines_of(await leaderboard(inproc))
    assert board[2] == "🥇 Ali: ۱ درست · ۲٫۰ ثانیه"  # the lost question costs no one time


@sqlite_only
async def test_a_forged_settings_button_changes_nothing(inproc: InProcessBot) -> None:
    admin_sets(inproc, OWNER)
    panel = one(await inproc.say_in_group(GROUP, OWNER, "/gamesettings"), "sendMessage")
    pressed = await inproc.press(OWNER, inproc.message_of(panel), "gt:3")  # not offered
    assert methods(pressed) == ["getChatMember", "answerCallbackQuery"]
    assert pressed[1].params["text"].startswith("زمان هر سوال باید بین")
    assert await stored_settings(inproc) is None


# --- commands in groups ----------------------------------------------------------------------


@sqlite_only
async def test_groups_get_a_short_help_and_the_private_commands_stay_private(
    inproc: InProcessBot,
) -> None:
    for text in ("/start", "/help@quizbot_test_bot"):
        help_text = one(await inproc.say_in_group(GROUP, SARA, text), "sendMessage")
        assert "/game" in help_text.params["text"]
        assert "reply_markup" not in help_text.params
    for text in ("/test cnn", "/me", "/review", "/forget", "/demo", "/channels", "سلام"):
        assert await inproc.say_in_group(GROUP, SARA, text) == [], text
    # In private chat a game is pointed to groups, and /quiz stays a private quiz.
    hint = one(await inproc.send_text(SARA, "/game"), "sendMessage")
    assert hint.params["text"].startswith("بازی گروهیه")
    assert methods(await inproc.send_text(SARA, "/quiz")) == ["sendPoll"]


@sqlite_only
async def test_one_game_at_a_time_and_unknown_topics_are_listed(inproc: InProcessBot) -> None:
    unknown = one(await inproc.say_in_group(GROUP, ALI, "/game فیزیک"), "sendMessage")
    assert unknown.params["text"].startswith("موضوع «فیزیک» رو پیدا نکردم")
    assert "• شبکه‌های کانولوشنی (cnn)" in unknown.params["text"]
    assert "reply_markup" not in unknown.params
    too_many = one(await inproc.say_in_group(GROUP, ALI, "/game ۳۰"), "sendMessage")
    assert too_many.params["text"].startswith("تعداد سوال‌های بازی باید بین ۱ و ۲۰")
    started = await start_game(inproc, "/game cnn ۵")
    # The topic has two quizzes: the game is shorter, and says so.
    assert started.params["text"].startswith("برای موضوع «شبکه‌های کانولوشنی» فقط ۲ کوییز دارم")
    await next_poll(inproc)
    running = one(await inproc.say_in_group(GROUP, SARA, "/game"), "sendMessage")
    assert running.params["text"].startswith("یک بازی در جریانه (سوال ۱ از ۲)")


@sqlite_only
async def test_persian_words_start_a_game_and_conversation_is_left_alone(
    inproc: InProcessBot,
) -> None:
    assert await inproc.say_in_group(GROUP, ALI, "بازی دیشب عالی بود") == []
    started = await start_game(inproc, "بازي activations ۲")  # Arabic ي, Persian digits
    assert "۲ سوالی موضوع «توابع فعال‌سازی»" in started.params["text"]
    assert await inproc.say_in_group(GROUP, ALI, "بازی") == []  # one is running: said quietly
    admin_sets(inproc, OWNER)
    panel = one(await inproc.say_in_group(GROUP, OWNER, "تنظیمات بازی"), "sendMessage")
    assert panel.params["text"].startswith("⚙️ تنظیمات بازی این گروه")


@sqlite_only
async def test_group_menus_list_the_game_commands(inproc: InProcessBot) -> None:
    menus = inproc.api.menus
    members = [c["command"] for c in menus[("all_group_chats", None, None, "")]]
    admins = [c["command"] for c in menus[("all_chat_administrators", None, None, "")]]
    assert members == ["game", "quiz", "help"]
    assert admins == ["game", "quiz", "help", "gamesettings"]
    assert of(inproc.api.calls, "setMyCommands")[0].params.get("scope") is None


# --- the journey over HTTP ---------------------------------------------------------------

# Names no content holds, so a scan that finds them found the players.
ALIQ = FakeUser(71_234_501, "Aliqz", "aliqz_handle")
SARAQ = FakeUser(71_234_502, "Saraqz", "saraqz_handle")
REZAQ = FakeUser(71_234_503, "Rezaqz", "rezaqz_handle")
STUDY: JSON = {"id": -1_009_876_543_210, "type": "supergroup", "title": "گروه مطالعهٔ سری"}


async def harness_step(harness: Harness, seconds: float, method: str) -> Call:
    """Move the clock on, tick, and the call the step made (the job may have made it first)."""
    assert harness.app is not None
    assert harness.runtime is not None
    since = harness.api.mark()
    harness.clock.advance(seconds=seconds)
    await run_games_tick(harness.app.bot, harness.runtime)
    return await harness.api.wait_for(method, lambda p: p["chat_id"] == STUDY["id"], since=since)


@sqlite_only
async def test_journey_a_group_of_three_plays_five_timed_questions(harness: Harness) -> None:
    """The bot polling the fake Bot API over HTTP, its games job running: the real transport,
    the bot's own poller handing over the answers, PTB's serialisation of open_period."""
    since = harness.api.mark()
    await harness.api.send_group_text(STUDY, ALIQ, "/game 5")
    started = await harness.api.wait_for("sendMessage", lambda p: p["chat_id"] == STUDY["id"])
    assert "۵ سوالی" in started.params["text"]
    # Right answers: Aliqz all five, fast; Rezaqz all five, slower; Saraqz three, fastest.
    for number in range(5):
        poll = await harness_step(harness, GAP, "sendPoll")
        assert poll.params["open_period"] == 30
        assert poll.params["is_anonymous"] is False
        poll_id = str(poll.result["poll"]["id"])
        right = harness.correct_of(poll_id)
        wrong = [wrong_option(harness, poll_id)]
        # At 1 s, 2 s and 4 s after the poll; each handled before the clock moves on.
        for user, step, options in (
            (SARAQ, 1, right if number < 3 else wrong),
            (ALIQ, 1, right),
            (REZAQ, 2, right),
        ):
            harness.clock.advance(seconds=step)
            await harness.api.answer_poll(user, poll_id, options)
            await harness.caught_up(user)
        stop = await harness_step(harness, 26, "stopPoll")
        assert int(stop.params["message_id"]) == poll.result["message_id"]
    board = await harness_step(harness, GAP, "sendMessage")
    assert lines_of(board.params["text"])[2:5] == [
        "🥇 Aliqz: ۵ درست · ۱۰٫۰ ثانیه",
        "🥈 Rezaqz: ۵ درست · ۲۰٫۰ ثانیه",
        "🥉 Saraqz: ۳ درست · ۵٫۰ ثانیه",
    ]
    assert since < board.index

    # Nothing of the players or of the group is in the database in the clear.
    secrets = [str(STUDY["id"]), str(STUDY["title"])]
    for user in (ALIQ, SARAQ, REZAQ):
        secrets += [str(user.id), str(user.username), user.first_name]
    assert harness.runtime is not None
    found, scanned = [], 0
    async with harness.runtime.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                scanned += 1
                for column, value in zip(table.columns, row, strict=True):
                    found += [(table.name, column.name) for s in secrets if s in str(value)]
    assert scanned > 40  # the game wrote its questions, answers, cards and publications
    assert found == []
