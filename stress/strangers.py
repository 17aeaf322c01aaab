"""Every admin command and button from people who are not the channel's admins: no change.

Channel A is administered by ADMIN_A, channel B by ADMIN_B. Both admins first use their
channel for real (choose it, toggle settings, set signature and numbering, add slots, schedule
a post and leave another at its preview, look at the queue, post now, read results, export),
so there are posts, slots, drafts and buttons to aim at. Then two people attack channel A:

- a stranger, admin nowhere;
- ADMIN_B, the admin of the other channel.

Each sends every admin command (the set is read from the registered handlers, and the script
fails if it does not exercise exactly that set) with A's ids as arguments and with none, every
admin button class with A's post, slot and channel ids, and replays of every button ADMIN_A
was sent (pressed under a message of their own chat, as a modified client would send it).

The same holds for the game settings of a group whose creator is ADMIN_A: its creator sets
them for real, then the stranger (a member of the group) and ADMIN_B send every
/gamesettings change in it and press every settings button under the creator's panel
(Telegram says neither administers the group).

What may change: for the stranger, nothing at all. For ADMIN_B, only what belongs to B: rows
of channel B (its settings, posts, slots, notices), B's own choice of channel and B's own
conversation state, since B's commands act on B's channel. Every other row of every table is
compared before and after; and no message may reach channel A, not even after a scheduler
pass (a post of A made due would go out then).

    .venv/bin/python stress/strangers.py [--postgres postgresql://postgres@127.0.0.1:5432/test]

The last line is JSON; the exit status is 1 on any change, channel message or traceback,
2 when the admin paths exercised differ from those registered.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Set
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import MetaData, select

from bot import texts
from bot.db.models import RecurringSlot, ScheduledPost
from bot.handlers.buttons import Button
from bot.handlers.channel.admin import ChannelButton
from bot.handlers.channel.authoring import AnswerButton as AuthorAnswerButton
from bot.handlers.channel.authoring import (
    AuthorCancelButton,
    LevelButton,
    TopicButton,
)
from bot.handlers.channel.bank import AnswerButton as BankAnswerButton
from bot.handlers.channel.bank import (
    EditAbortButton,
    EditButton,
    ItemButton,
    RetireButton,
    RetireConfirmButton,
)
from bot.handlers.channel.notices import RescheduleButton, RetryPostButton
from bot.handlers.channel.queue import CancelPostButton, LaterButton
from bot.handlers.channel.schedule import CancelButton, ConfirmButton, KindButton, WhenButton
from bot.handlers.channel.settings import ToggleButton
from bot.handlers.groups.settings import GameSizeButton, GameTimerButton, GameTopicButton
from bot.services.channel.registry import channel_by_chat
from stress._updates_common import (
    ADMIN_A,
    ADMIN_B,
    CHANNEL_A,
    CHANNEL_B,
    STRANGER,
    ErrorTrap,
    admin_buttons,
    admin_command_names,
    arm_watchdog,
    feed,
    prepared_database,
    print_figures,
    registered_buttons,
    snapshot,
    stage,
    trapped,
    watchdog,
)
from tests.fakebot import Call, FakeUser
from tests.fakebot.core import JSON
from tests.inprocess import InProcessBot, button_data

Rows = dict[str, list[tuple[Any, ...]]]
# The buttons of /schedule, live only while the presser's own flow is at their step.
FLOW_BUTTONS = (KindButton, WhenButton, ConfirmButton, CancelButton)
# Quizzes of the sample bank (file items, which no one changes in chat) and one never there.
BANK_QUIZZES = ("act-relu-grad", "cnn-params", "tg1-1")
# The buttons of writing an item in chat, live only while the presser's own draft is open.
AUTHOR_BUTTONS = (AuthorAnswerButton, TopicButton, LevelButton, AuthorCancelButton)
INTERVIEW_TEXT = "💡سوال مصاحبه: چرا؟\n🔵 چون.\n#Hacked"
# A group whose creator is ADMIN_A; the other two are plain members of it.
GROUP_A: JSON = {"id": -1_009_000_001, "type": "supergroup", "title": "A's group"}
# The group admins' paths (/gamesettings and its buttons) live in this package.
GROUP_MODULES = "bot.handlers.groups."
GROUP_SETTINGS = ["", "زمان ۴۵", "timer 10", "تعداد ۳", "questions 20", "موضوع cnn", "موضوع همه"]
GROUP_BUTTONS: dict[type[Button], list[str]] = {
    GameTimerButton: [GameTimerButton(s).encode() for s in (10, 45, 120)],
    GameSizeButton: [GameSizeButton(n).encode() for n in (1, 3, 20)],
    GameTopicButton: [GameTopicButton(t).encode() for t in (None, "cnn", "activations")],
}


class Session:
    """One person talking to the bot; every update goes through the trap."""

    def __init__(self, bot: InProcessBot, trap: ErrorTrap, user: FakeUser) -> None:
        self.bot, self.trap, self.user = bot, trap, user
        self.calls: list[Call] = []  # everything the bot did for this person's updates

    async def say(self, text: str) -> list[Call]:
        """Send `text` in private chat."""
        return await self._feed(self.bot.api.text_update(self.user, text))

    async def send_poll(self) -> list[Call]:
        """Send a regular poll in private chat (for an admin, the start of a bank item)."""
        update = self.bot.api.poll_message_update(self.user, "کدام؟", ["الف", "ب"], quiz=False)
        return await self._feed(update)

    async def press(self, under: Call | JSON | None, data: str) -> list[Call]:
        """Press a button with `data` under a message (a bot message of their own chat)."""
        message = self.bot.message_of(under) if isinstance(under, Call) else under
        if message is None:
            message = {"message_id": 1, "date": int(time.time()), "chat": self.user.private_chat()}
        return await self._feed(self.bot.api.callback_update(self.user, message, data))

    async def choose(self, call: Call, label: str) -> list[Call]:
        """Press the button labelled with `label` under the message `call` made."""
        return await self.press(call, button_data(call, label))

    async def _feed(self, update: JSON) -> list[Call]:
        calls = await feed(self.bot, self.trap, update)
        self.calls += calls
        return calls

    async def say_in_group(self, text: str) -> list[Call]:
        """Write `text` in GROUP_A."""
        return await self._feed(self.bot.api.group_text_update(GROUP_A, self.user, text))

    async def press_in_group(self, under: Call, data: str) -> list[Call]:
        """Press a button with `data` under a bot message in GROUP_A."""
        message = self.bot.message_of(under)
        return await self._feed(self.bot.api.callback_update(self.user, message, data))

    def received_buttons(self) -> list[str]:
        """The callback data of every inline button the bot sent this person."""
        found: list[str] = []
        for call in self.calls:
            markup = call.params.get("reply_markup")
            if int(call.params.get("chat_id", 0)) != self.user.id or not isinstance(markup, dict):
                continue
            for row in markup.get("inline_keyboard", []):
                found += [b["callback_data"] for b in row if "callback_data" in b]
        return list(dict.fromkeys(found))

    def last_message(self) -> JSON | None:
        """The latest bot message in this person's chat (forged presses come under it)."""
        for call in reversed(self.calls):
            result = call.result if isinstance(call.result, dict) else {}
            if "message_id" in result and result.get("chat", {}).get("id") == self.user.id:
                return self.bot.message_of(call)
        return None


def first(calls: list[Call], method: str = "sendMessage") -> Call:
    """The first call of `method` among `calls` (the step's message with its buttons)."""
    return next(call for call in calls if call.method == method)


async def use_channel(admin: Session) -> None:
    """What an admin does with their channel: every admin path, for real."""
    listed = first(await admin.say("/channels"))
    await admin.press(
        listed, listed.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    shown = first(await admin.say("/settings"))
    await admin.choose(shown, "بی‌صدا")
    for command in ("/signature @owner | امضا", "/hashtags #Owner", "/quiznumber 50", "/grace 30"):
        await admin.say(command)
    # The sample bank is small (6 quizzes, 2 interview questions, 1 lesson): weekly slots.
    await schedule(admin, "کوییز", confirm=True)
    await admin.say("/slot quiz sat 18:00")
    await admin.say("/slot interview mon 10:00")
    await admin.say("/slots")
    await admin.say("/postnow quiz")
    await admin.bot.tick()  # the pass /postnow asks for: the quiz goes out
    await admin.say("/postnow interview")
    await admin.bot.tick()
    await admin.say("/queue")
    await admin.say("/results")
    await admin.say("/export json")
    await schedule(admin, "درس", confirm=False)  # left at its preview: a live confirm button


async def use_group(creator: Session) -> Call:
    """The group's creator sets its game settings for real; the panel their presses edit."""
    creator.bot.api.set_member(GROUP_A["id"], creator.user, "creator")
    panel = first(await creator.say_in_group("/gamesettings"))
    await creator.press_in_group(panel, GameTimerButton(60).encode())
    await creator.say_in_group("/gamesettings تعداد ۷")
    await creator.press_in_group(panel, GameTopicButton("activations").encode())
    return panel


async def attack_group(actor: Session, panel: Call) -> int:
    """Every game setting typed in the group, every settings button under its panel."""
    for words in GROUP_SETTINGS:
        await actor.say_in_group(f"/gamesettings {words}".rstrip())
    await actor.say_in_group("تنظیمات بازی")
    presses = [data for variants in GROUP_BUTTONS.values() for data in variants]
    for data in presses:
        await actor.press_in_group(panel, data)
    return len(GROUP_SETTINGS) + 1 + len(presses)


async def schedule(admin: Session, kind: str, confirm: bool) -> None:
    """/schedule → kind → today 18:00 → preview (→ confirm)."""
    kinds = first(await admin.say("/schedule"))
    when = first(await admin.choose(kinds, kind))
    preview = await admin.choose(when, texts.SCHEDULE_TODAY.format(time="۱۸:۰۰"))
    confirm_message = next(c for c in preview if "reply_markup" in c.params)
    if confirm:
        await admin.choose(confirm_message, texts.SCHEDULE_CONFIRM)


async def victim_ids(bot: InProcessBot) -> tuple[int, list[int], list[int]]:
    """Channel A's database id, its posts' ids and its slots' ids."""
    async with bot.runtime.sessions() as session:
        channel = await channel_by_chat(session, CHANNEL_A["id"])
        assert channel is not None
        posts = await session.scalars(
            select(ScheduledPost.id).where(ScheduledPost.channel_id == channel.id)
        )
        slots = await session.scalars(
            select(RecurringSlot.id).where(RecurringSlot.channel_id == channel.id)
        )
        found = channel.id, list(posts), list(slots)
    assert found[1], "the admin's session left no posts to aim at"
    assert found[2], "the admin's session left no slots to aim at"
    return found


def command_attempts(channel: int, posts: list[int], slots: list[int]) -> dict[str, list[str]]:
    """Every admin command with the victim's ids, typical values, and nothing."""
    ids = [str(i) for i in (*posts, *slots, channel, CHANNEL_A["id"])]
    return {
        "channels": ["", str(channel)],
        "settings": ["", str(channel), str(CHANNEL_A["id"])],
        "signature": ["", "hacked", f"{CHANNEL_A['id']} hacked"],
        "hashtags": ["", "#hacked", "#a #b"],
        "quiznumber": ["", "1", "999", "۹۹۹"],
        "grace": ["", "1", "1440"],
        "schedule": ["", "quiz", "lesson", "interview", "quiz cnn", *ids],
        "cancel": [""],
        "queue": ["", *ids],
        "postnow": ["", "quiz", "interview", "lesson", *ids],
        "slot": ["", "quiz daily 18:00", "lesson mon,thu 09:30", *ids],
        "slots": ["", *ids],
        "unslot": ["", *ids],
        "results": ["", *ids],
        "export": ["", "json", "csv", "xlsx", *ids],
        # The bank is shared; its file items are refused in chat, so no one changes them.
        "needsreview": ["", *ids],
        "bank": ["", "quiz", "سیگموید", "activations", *ids],
    }


def button_attempts(channel: int, posts: list[int]) -> dict[type[Button], list[str]]:
    """Every admin button class with the victim's ids."""
    minute = int(datetime(2026, 11, 26, 14, 30, tzinfo=UTC).timestamp()) // 60  # today 18:00
    return {
        ChannelButton: [ChannelButton(channel).encode(), ChannelButton(CHANNEL_A["id"]).encode()],
        ToggleButton: [ToggleButton(channel, which).encode() for which in ("silent", "pin")],
        CancelPostButton: [CancelPostButton(post).encode() for post in posts],
        LaterButton: [LaterButton(post).encode() for post in posts],
        RetryPostButton: [RetryPostButton(post).encode() for post in posts],
        RescheduleButton: [RescheduleButton(post).encode() for post in posts],
        KindButton: [KindButton(kind).encode() for kind in ("quiz", "interview", "lesson")],
        WhenButton: [WhenButton(minute).encode(), WhenButton(minute + 180).encode()],
        ConfirmButton: [ConfirmButton().encode()],
        CancelButton: [CancelButton().encode()],
        BankAnswerButton: [
            BankAnswerButton(quiz, n).encode() for quiz in BANK_QUIZZES for n in (1, 2)
        ],
        ItemButton: [ItemButton("quiz", quiz).encode() for quiz in BANK_QUIZZES],
        EditButton: [
            EditButton("quiz", quiz, field).encode() for quiz in BANK_QUIZZES for field in "qoe"
        ],
        RetireButton: [RetireButton("quiz", quiz).encode() for quiz in BANK_QUIZZES],
        RetireConfirmButton: [RetireConfirmButton("quiz", q).encode() for q in BANK_QUIZZES],
        EditAbortButton: [EditAbortButton().encode()],
        AuthorAnswerButton: [AuthorAnswerButton(position).encode() for position in (0, 1, 11)],
        TopicButton: [TopicButton(topic).encode() for topic in ("cnn", "nosuchtopic")],
        LevelButton: [LevelButton(level).encode() for level in (1, 3, 9)],
        AuthorCancelButton: [AuthorCancelButton().encode()],
    }


async def attack(
    actor: Session,
    commands: dict[str, list[str]],
    buttons: dict[type[Button], list[str]],
    replays: list[str],
) -> int:
    """Every command, button and replayed button, each also in the middle of /schedule (or
    of an item being written in chat)."""
    attempts = 0
    for name, variants in commands.items():
        for words in variants:
            await actor.say(f"/{name} {words}".rstrip())
            attempts += 1
    presses = [data for variants in buttons.values() for data in variants] + replays
    for data in presses:
        await actor.press(actor.last_message(), data)
        attempts += 1
        if any(flow.decode(data) for flow in FLOW_BUTTONS):
            # Again with the actor's own /schedule open, so the flow's buttons are live.
            await actor.say("/schedule")
            await actor.press(actor.last_message(), data)
            attempts += 2
        if any(flow.decode(data) for flow in AUTHOR_BUTTONS):
            # Again with a draft of the actor's own open (a poll sent), so they are live.
            await actor.send_poll()
            await actor.press(actor.last_message(), data)
            attempts += 2
    # Writing items in chat: a poll and a text in the interview format, left unfinished.
    await actor.send_poll()
    await actor.say(INTERVIEW_TEXT)
    await actor.say("/cancel")
    return attempts + 3


def owner(table: str, columns: list[str], row: tuple[Any, ...]) -> object:
    """Who a row belongs to: its channel, admin hash or conversation key (None: anyone)."""
    values = dict(zip(columns, row, strict=True))
    if table == "channels":
        return ("channel", values["id"])
    if "channel_id" in values:
        return ("channel", values["channel_id"])
    if table == "admin_choices":
        return ("person", values["admin_hash"])
    if table == "conversation_states":
        return ("conversation", values["key_hash"])
    return None


def changes(
    before: Rows, after: Rows, columns: dict[str, list[str]], allowed: Set[object]
) -> list[str]:
    """Rows added or removed between the snapshots, except those owned by `allowed`."""
    found = []
    for table in sorted(set(before) | set(after)):
        kept = [
            Counter(
                r for r in rows.get(table, []) if owner(table, columns[table], r) not in allowed
            )
            for rows in (before, after)
        ]
        found += [f"{table} -{row}" for row in kept[0] - kept[1]]
        found += [f"{table} +{row}" for row in kept[1] - kept[0]]
    return found


WATCHDOG_SECONDS = 60.0


async def run(url: str, content: Path) -> tuple[JSON, list[str]]:
    """Set the channels up, attack A twice, compare; the figures and what changed."""
    started = time.monotonic()
    # It takes seconds; a run still going after minutes is stuck: its tasks say where.
    dog = asyncio.create_task(watchdog(WATCHDOG_SECONDS))
    try:
        return await _run(url, content, started)
    finally:
        dog.cancel()


async def _run(url: str, content: Path, started: float) -> tuple[JSON, list[str]]:
    async with stage(url, content) as scene, trapped() as trap:
        bot = scene.bot
        victim, other, stranger = (Session(bot, trap, u) for u in (ADMIN_A, ADMIN_B, STRANGER))
        await use_channel(victim)
        await use_channel(other)
        panel = await use_group(victim)
        setup_tracebacks = trap.total
        setup_seconds = time.monotonic() - started
        channel, posts, slots = await victim_ids(bot)
        commands = command_attempts(channel, posts, slots)
        buttons = button_attempts(channel, posts)
        missing = check_coverage(bot, commands, buttons)
        replays = victim.received_buttons()
        columns = await table_columns(bot)
        since = bot.api.mark()
        before = await snapshot(bot)
        attempts = await attack(stranger, commands, buttons, replays)
        attempts += await attack_group(stranger, panel)
        middle = await snapshot(bot)
        attempts += await attack(other, commands, buttons, replays)
        attempts += await attack_group(other, panel)
        after = await snapshot(bot)
        await bot.tick()  # a post of A made due by an attack would go out now
        async with bot.runtime.sessions() as session:
            b = await channel_by_chat(session, CHANNEL_B["id"])
            assert b is not None
        allowed_b = {
            ("channel", b.id),
            ("person", bot.runtime.person(ADMIN_B.id)),
            ("conversation", bot.runtime.conversation_key(ADMIN_B.id, ADMIN_B.id)),
        }
        found = changes(before, middle, columns, set()) + changes(middle, after, columns, allowed_b)
        # B's commands change B's own channel: the comparison sees them, and lets them be.
        own = len(changes(middle, after, columns, set())) - len(found)
        to_victim = [c for c in bot.api.calls[since:] if c.params.get("chat_id") == CHANNEL_A["id"]]
        # The panel in the group must still show what its creator chose.
        edits = [
            c
            for c in bot.api.calls[since:]
            if c.method == "editMessageText" and c.params.get("chat_id") == GROUP_A["id"]
        ]
        refusals = Counter(
            str(c.params.get("text", ""))[:40]
            for c in stranger.calls
            if c.method in ("sendMessage", "answerCallbackQuery")
        )
    figures = {
        "attempts": attempts,
        "changes": len(found),
        "channel_messages": len(to_victim) + len(edits),
        "tracebacks": trap.total,
        "setup_tracebacks": setup_tracebacks,
        "admin_paths_missing": missing,
        "seconds": round(time.monotonic() - started, 1),
        "setup_seconds": round(setup_seconds, 1),
    }
    lines = [
        f"admin commands exercised: {len(commands)}, admin buttons: {len(buttons)}, "
        f"replayed buttons of A's admin: {len(replays)}",
        f"attempts: {attempts} (stranger and B's admin), in {figures['seconds']} s",
        f"rows changed outside what B owns: {len(found)} (B's own rows changed: {own})",
        *[f"  {line[:200]}" for line in found[:30]],
        f"messages to channel A: {len(to_victim)}; edits of the group's panel: {len(edits)}",
        f"tracebacks: {trap.total}",
        *[
            f"  {e['count']} × {e['kind']} at {e['where']}: {e['message'][:120]}"
            for e in trap.report()
        ],
        "the stranger was answered:",
        *[f"  {count:>4} × {text}" for text, count in refusals.most_common(8)],
    ]
    return figures, lines


def check_coverage(
    bot: InProcessBot, commands: dict[str, list[str]], buttons: dict[type[Button], list[str]]
) -> list[str]:
    """Admin commands and buttons registered but not exercised (or exercised, not registered)."""
    registered = admin_command_names(bot)
    classes = admin_buttons(bot)
    missing = [f"/{c}" for c in sorted(registered ^ set(commands))]
    missing += [b.__name__ for b in sorted(classes ^ set(buttons), key=lambda b: b.__name__)]
    # The group admins' buttons: every one registered is pressed by the attackers.
    groups = {b for b in registered_buttons(bot) if b.__module__.startswith(GROUP_MODULES)}
    missing += [b.__name__ for b in sorted(groups ^ set(GROUP_BUTTONS), key=lambda b: b.__name__)]
    return missing


async def table_columns(bot: InProcessBot) -> dict[str, list[str]]:
    """Every table's column names, in the order `snapshot` gives their values."""
    metadata = MetaData()
    async with bot.runtime.engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
    return {table.name: [c.name for c in table.columns] for table in metadata.sorted_tables}


def main() -> int:
    """Run once; print the figures; non-zero on any change."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()
    arm_watchdog(WATCHDOG_SECONDS * 2)  # after the tasks' stacks, the threads', and the end
    with (
        tempfile.TemporaryDirectory(prefix="quizbot-strangers-") as folder,
        prepared_database(Path(folder), args.postgres) as (url, content),
    ):
        figures, lines = asyncio.run(run(url, content))
    print_figures(figures, lines)
    if figures["admin_paths_missing"]:
        return 2
    bad = figures["changes"] or figures["channel_messages"] or figures["tracebacks"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
