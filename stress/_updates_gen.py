"""Generated updates for `stress/updates.py`: what Telegram can deliver, and what people type.

Ids Telegram assigns (users, chats, messages) stay within its documented 52 bits; everything a
person controls (command arguments, texts, and the callback data a modified client can send)
is mutated freely: huge, negative, Persian-digit and garbage values, overlong texts, lone
surrogates (JSON can carry them as escapes). Poll answers also get option ids Telegram never
sends (negative, past the poll's options, past 63), as the issue asks.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import time
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot import texts
from bot.bank.normalize import to_persian_digits
from bot.handlers.buttons import Button
from nn_demos.catalogue import CATALOGUE
from stress._updates_common import (
    ADMIN_A,
    ADMIN_AB,
    ADMIN_B,
    CHANNEL_A,
    CHANNEL_B,
    MAX_TELEGRAM_ID,
    STRANGER,
)
from tests.banks import learner_bank_data
from tests.fakebot import Call, FakeUser
from tests.fakebot.core import JSON
from tests.inprocess import InProcessBot

T = TypeVar("T")
BOT_NAME = "quizbot_test_bot"
LONE_SURROGATES = ("\ud800", "\udfff", "\udbff", "a\udc00b")
NUMBERS = (0, 1, 2, 3, 7, 59, 60, 96, 1440, 1441, 10**6, 2**31, 2**53, 2**63 - 1, 2**63, 2**64)
ODD_WORDS = (
    "",
    "*",
    ":",
    "::",
    "-",
    "--",
    "+5",
    "1.5",
    "1e9",
    "0x10",
    "٫۵",
    "NaN",
    "inf",
    "none",  # not "None" nor "{title}": those in a reply must be the bot's own slip
    "null",
    "true",
    "../../etc/passwd",
    "%s%d",
    "{TITLE}",
    "{0}",
    "<b>x</b>",
    "&amp;",
    "\u200c",
    "\u200f",
    "\u202e",
    "\x00",
    "\t",
    "\n",
    "🙂",
    "👨‍👩‍👧",
    "ي",
    "ك",
    "DROP TABLE channels;",
    "quiz",
    "interview",
    "lesson",
    "daily",
    "mon,thu",
    "sun,sat,xyz",
    "18:00",
    "۱۸:۰۰",
    "٢٣:٥٩",
    "24:00",
    "9:5",
    "#tag",
    "#تگ",
    "#",
    "csv",
    "xlsx",
    "json",
    "XML",
    "۱۴۰۵/۰۹/۱۰",
    "1405/09/10",
    "1405/13/40",
    "۱۳۰۰/۰۱/۰۱",
    "key=value",
    "=",
    "a=",
    "=b",
    "lr=1e-400",
)


@dataclass
class World:
    """What the generator knows: the bot, its users, and what the bot has sent so far."""

    rng: random.Random
    bot: InProcessBot
    commands: list[str]
    buttons: list[type[Button]]
    # Commands for channel admins: mostly typed by an admin, so their paths are exercised.
    admin_commands: set[str] = field(default_factory=set)
    users: list[FakeUser] = field(default_factory=list)
    # Per private chat, the bot's messages that carry inline buttons (newest last).
    keyboards: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    private_polls: list[tuple[str, int]] = field(default_factory=list)
    channel_polls: list[str] = field(default_factory=list)
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10**7))
    # How often each command and button class was generated (the report shows any left out).
    exercised: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        bank = learner_bank_data()
        self.topics = sorted({item["topic"] for item in bank["quizzes"]})
        self.quiz_ids = [item["id"] for item in bank["quizzes"]]
        self.interview_ids = [item["id"] for item in bank["interview_questions"]]
        self.lesson_ids = [item["id"] for item in bank["lessons"]]
        self.demos = list(CATALOGUE.values())
        self.admins = [ADMIN_A, ADMIN_B, ADMIN_AB]
        self.users += [*self.admins, STRANGER]
        self.users += [FakeUser(600_000_000 + i, f"Learner{i}") for i in range(12)]

    def learn(self, calls: list[Call]) -> None:
        """Remember the bot's keyboards and polls, to press and answer them later."""
        for call in calls:
            if call.result is None or not isinstance(call.result, dict):
                continue
            chat = call.result.get("chat", {})
            key = (int(chat.get("id", 0)), int(call.result.get("message_id", 0)))
            if call.method == "sendPoll":
                poll_id = str(call.result["poll"]["id"])
                if chat.get("type") == "private":
                    self.private_polls.append((poll_id, chat["id"]))
                else:
                    self.channel_polls.append(poll_id)
            if chat.get("type") == "private" and call.params.get("reply_markup"):
                markup = call.params["reply_markup"]
                if isinstance(markup, dict) and "inline_keyboard" in markup:
                    kept = self.keyboards.setdefault(chat["id"], [])
                    if key not in kept:
                        kept.append(key)
                    del kept[:-30]

    def next_id(self) -> int:
        """A fresh update id."""
        return next(self.update_ids)

    def pick(self, choices: Iterable[T]) -> T:
        """One of `choices`."""
        return self.rng.choice(list(choices))

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.rng.random() < p


# --- words people type ---------------------------------------------------------------------


def garbage(world: World, length: int) -> str:
    """Random characters from Persian, Latin, digits, marks, emoji and control ranges."""
    ranges = [(0x20, 0x7E), (0x600, 0x6FF), (0x6F0, 0x6F9), (0x200B, 0x200F), (0x1F300, 0x1F64F)]
    ranges += [(0x300, 0x36F), (0x1, 0x1F), (0xFB50, 0xFDFF), (0x4E00, 0x4E20)]
    out = []
    for _ in range(length):
        low, high = world.pick(ranges)
        out.append(chr(world.rng.randint(low, high)))
    return "".join(out)


def number_word(world: World) -> str:
    """A number as someone might type it: any size, sign and digits."""
    value = world.pick(NUMBERS) if world.chance(0.5) else world.rng.randint(-(10**15), 10**15)
    if world.chance(0.2):
        value = -value
    text = str(value)
    roll = world.rng.random()
    if roll < 0.25:
        text = to_persian_digits(text)
    elif roll < 0.35:
        text = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    elif roll < 0.4:
        text = "9" * world.rng.randint(19, 400)
    return text


def valid_word(world: World) -> str:
    """A word the bot knows: a topic, an item id, a demo, a setting's value."""
    demo = world.pick(world.demos)
    param = world.pick(demo.params) if demo.params else None
    choices = [
        world.pick(world.topics),
        world.pick(world.quiz_ids),
        world.pick(world.interview_ids),
        world.pick(world.lesson_ids),
        demo.name,
        f"{param.name}={world.pick(param.choice_texts or ('1',))}" if param else demo.name,
        f"{param.name}={number_word(world)}" if param else demo.name,
        f"quiz_{world.pick(world.quiz_ids)}",
        f"interview_{world.pick(world.interview_ids)}",
        f"demo_{demo.name}",
        world.pick(texts.KIND_TITLES),
    ]
    return str(world.pick(choices))


def word(world: World) -> str:
    """One argument: known, numeric, odd, garbage, overlong or with a lone surrogate."""
    roll = world.rng.random()
    if roll < 0.3:
        return valid_word(world)
    if roll < 0.55:
        return number_word(world)
    if roll < 0.75:
        return str(world.pick(ODD_WORDS))
    if roll < 0.9:
        return garbage(world, world.rng.randint(1, 30))
    if roll < 0.95:
        return garbage(world, world.rng.randint(500, 3900))
    return world.pick(LONE_SURROGATES) + garbage(world, 3)


def fit_message(text: str) -> str:
    """Cut to Telegram's 4096 UTF-16 units: longer messages never arrive."""
    while (excess := len(text.encode("utf-16-le", "surrogatepass")) // 2 - 4096) > 0:
        text = text[: -max(1, excess // 2)]
    return text


def typical_args(world: World, name: str) -> str | None:
    """Arguments as the command's own users write them (None: the command has no examples)."""
    topic, quiz, interview = (
        world.pick(x) for x in (world.topics, world.quiz_ids, world.interview_ids)
    )
    demo = world.pick(world.demos)
    param = world.pick(demo.params) if demo.params else None
    setting = f"{param.name}={world.pick(param.choice_texts or ('1',))}" if param else ""
    hour = f"{world.rng.randint(0, 23)}:{world.pick(['00', '30', '۰۰'])}"
    days = world.pick(
        ["daily", "mon", "mon,thu", "sat,sun", "fri", "هر روز", "شنبه", "دوشنبه و پنج‌شنبه"]
    )
    when = world.pick([hour, "۶ عصر", "۹ صبح", "ساعت ۱۲ ظهر", "۱۸:۳۰"])
    examples = {
        "start": [f"quiz_{quiz}", f"interview_{interview}", f"demo_{demo.name}", ""],
        "quiz": [topic, "", "شبکه‌های کانولوشنی"],
        "test": [f"{topic} 2", topic, "3", f"{topic} ۴"],
        "interview": [topic, ""],
        "demo": [demo.name, f"{demo.name} {setting}", ""],
        "postnow": ["quiz", "interview", "lesson", f"quiz {quiz}", str(world.rng.randint(1, 40))],
        "schedule": ["", "quiz", f"quiz {topic}", f"interview {interview}", "lesson", "کوییز"],
        "slot": [
            f"{world.pick(['quiz', 'interview', 'lesson'])} {days} {hour}",
            f"{world.pick(['کوییز', 'مصاحبه', 'سوال مصاحبه', 'درس'])} {days} {when}",
        ],
        "unslot": [str(world.rng.randint(1, 20))],
        "signature": ["@data_fa | دیتاساینس فارسی", ""],
        "hashtags": ["#Deep_Learning #ML", "#یادگیری_عمیق", ""],
        "quiznumber": ["96", "۱۰۰", "1"],
        "grace": ["60", "۱۴۴۰", "1"],
        "export": ["csv", "xlsx", "json", ""],
    }
    return world.pick(examples[name]) if name in examples else None


def command_text(world: World, name: str | None = None) -> str:
    """A registered command with generated arguments, sometimes addressed or misspelt."""
    name = name or world.pick(world.commands)
    world.exercised[f"/{name}"] += 1
    typical = typical_args(world, name)
    if typical is not None and world.chance(0.4):
        return f"/{name} {typical}".rstrip()
    roll = world.rng.random()
    if roll < 0.05:
        name = name.upper()
    elif roll < 0.1:
        name = f"{name}@{BOT_NAME}"
    elif roll < 0.12:
        name = f"{name}@other_bot"
    elif roll < 0.15:
        name = name + world.pick(["x", "_", "1", "۱"])
    args = [word(world) for _ in range(world.rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 5]))]
    if world.chance(0.04):  # as long as a message can be
        args.append(world.pick("xب۱🙂") * 4096)
    separator = world.pick([" ", " ", " ", "  ", "\n", "\t", "\u00a0"])
    return fit_message(separator.join([f"/{name}", *args]))


def free_text(world: World) -> str:
    """Text that is no command: menu labels, dates, numbers, garbage."""
    roll = world.rng.random()
    if roll < 0.25:
        return str(world.pick(texts.MENU))
    if roll < 0.45:
        hour = world.rng.randint(0, 30)
        day = world.rng.randint(0, 40)
        text = f"{world.rng.randint(1300, 1500)}/{world.rng.randint(0, 14)}/{day} {hour}:00"
        return to_persian_digits(text) if world.chance(0.5) else text
    if roll < 0.5:
        return "/"
    return fit_message(" ".join(word(world) for _ in range(world.rng.randint(1, 6))))


# --- updates ---------------------------------------------------------------------------


def actor(world: World) -> FakeUser:
    """Who acts: mostly known people, sometimes someone the bot has never seen."""
    if world.chance(0.85):
        return world.pick(world.users)
    name = world.pick(["", "x", "نام", garbage(world, 64), world.pick(LONE_SURROGATES)])
    user = FakeUser(
        world.rng.randint(1, MAX_TELEGRAM_ID), name or "U", language_code=world.pick(["fa", "en"])
    )
    return user


def private_message(world: World, user: FakeUser, text: str) -> JSON:
    """A message from `user` in private chat, stored by the fake Telegram."""
    update = world.bot.api.text_update(user, text)
    message = update["message"]
    roll = world.rng.random()
    if text.startswith("/") and roll < 0.05:
        message.pop("entities", None)  # a slash typed as text, not a command
    elif roll < 0.08:
        message["reply_to_message"] = {**message, "message_id": 1, "text": "x"}
        message["reply_to_message"].pop("reply_to_message", None)
    return update


def command_update(world: World) -> JSON:
    """A command in private chat (an admin's command mostly from an admin)."""
    name = world.pick(world.commands)
    user = actor(world)
    if name in world.admin_commands and world.chance(0.7):
        user = world.pick(world.admins)
    return private_message(world, user, command_text(world, name))


def text_update(world: World) -> JSON:
    """Free text in private chat (a step of a flow, a menu button, or noise)."""
    return private_message(world, actor(world), free_text(world))


def fields_of(button: type[Button]) -> list[tuple[type, bool]]:
    """(int or str, optional) for each field of a button class, in order."""
    hints = typing.get_type_hints(button)
    found = []
    for item in dataclasses.fields(button):
        hint = hints[item.name]
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        found.append((members[0] if members else hint, bool(members)))
    return found


def button_data(world: World, button: type[Button]) -> str:
    """Callback data for `button`: valid, payload mutated, or overlong."""
    world.exercised[button.__name__] += 1
    parts = [button.prefix]
    for kind, optional in fields_of(button):
        roll = world.rng.random()
        if optional and roll < 0.1:
            parts.append("*")
        elif kind is int and roll < 0.6:
            parts.append(str(world.rng.choice([1, 2, 3, world.rng.randint(1, 60)])))
        elif kind is str and roll < 0.6:
            parts.append(valid_word(world).split("=")[-1].lower())
        else:
            parts.append(word(world)[:40])
    if world.chance(0.1):
        parts.append(word(world)[:20])  # an extra field
    elif world.chance(0.1) and len(parts) > 1:
        parts.pop()  # a missing one
    data = ":".join(parts)
    if world.chance(0.05):
        data += "x" * world.rng.randint(64, 300)
    return data


def random_data(world: World) -> str:
    """Callback data no button makes: random bytes, empty, or a prefix alone."""
    roll = world.rng.random()
    if roll < 0.3:
        raw = bytes(world.rng.randint(0, 255) for _ in range(world.rng.randint(1, 64)))
        return raw.decode("utf-8", "surrogateescape")
    if roll < 0.45:
        return ""
    if roll < 0.6:
        return world.pick(world.buttons).prefix
    return word(world)


def callback_message(world: World, user: FakeUser) -> JSON:
    """The message a press comes from: one of the bot's in the presser's chat, or a stub."""
    kept = world.keyboards.get(user.id, [])
    roll = world.rng.random()
    if kept and roll < 0.8:
        key = kept[-1] if world.chance(0.5) else world.pick(kept)
        if key in world.bot.api.messages:
            return dict(world.bot.api.messages[key])
    if roll < 0.9:  # older than 48 hours: Telegram sends it as inaccessible
        return {"chat": user.private_chat(), "message_id": world.rng.randint(1, 10**6), "date": 0}
    return {  # a message the bot no longer has (deleted meanwhile)
        "message_id": world.rng.randint(10**6, 2 * 10**6),
        "date": int(time.time()),
        "chat": user.private_chat(),
        "from": world.bot.api.bot_user,
        "text": "…",
    }


def replayed_data(world: World, user: FakeUser) -> str | None:
    """The data of a button the bot really sent to `user` (following flows along)."""
    kept = world.keyboards.get(user.id, [])
    if not kept:
        return None
    key = kept[-1] if world.chance(0.6) else world.pick(kept)
    message = world.bot.api.messages.get(key)
    rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
    buttons = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
    return world.pick(buttons) if buttons else None


def callback_update(world: World) -> JSON:
    """A button press: a real button, a forged one of every class, or random data."""
    user = actor(world)
    if world.keyboards and world.chance(0.5):  # someone who was sent buttons
        chat_id = world.pick(world.keyboards)
        user = next((u for u in world.users if u.id == chat_id), user)
    roll = world.rng.random()
    data = replayed_data(world, user) if roll < 0.45 else None
    if data is None:
        data = button_data(world, world.pick(world.buttons)) if roll < 0.85 else random_data(world)
    query: JSON = {
        "id": str(world.next_id()),
        "from": user.as_json(),
        "message": callback_message(world, user),
        "chat_instance": f"ci-{user.id}",
        "data": data,
    }
    if world.chance(0.02):
        del query["data"]
        query["game_short_name"] = "game"
    return {"update_id": world.next_id(), "callback_query": query}


def option_ids(world: World, count: int) -> list[int]:
    """Chosen options: valid, retracted, or ids Telegram never sends."""
    roll = world.rng.random()
    if roll < 0.55:
        return [world.rng.randrange(count)]
    if roll < 0.65:
        return []
    if roll < 0.72:
        return sorted(world.rng.sample(range(count), world.rng.randint(1, count)))
    impossible = [-1, -(2**31), count, 11, 12, 31, 32, 62, 63, 64, 2**31, 2**63, 2**70]
    ids = [world.pick(impossible) for _ in range(world.rng.randint(1, 3))]
    if world.chance(0.3):
        ids += [0, 0]
    return ids


def poll_answer_update(world: World) -> JSON:
    """A vote in one of the bot's polls (by its learner or someone else) or an unknown poll."""
    roll = world.rng.random()
    count = 4
    if world.private_polls and roll < 0.8:
        poll_id, chat_id = world.pick(world.private_polls[-50:])
        poll = world.bot.api.polls.get(poll_id, {})
        count = len(poll.get("options", [])) or 4
        known = next((u for u in world.users if u.id == chat_id), None)
        user = known if known is not None and world.chance(0.8) else actor(world)
    elif world.channel_polls and roll < 0.85:
        poll_id, user = world.pick(world.channel_polls), actor(world)
    else:
        poll_id = world.pick([str(world.rng.randint(0, 10**20)), "", "x" * 300, word(world)])
        user = actor(world)
    answer: JSON = {
        "poll_id": poll_id,
        "user": user.as_json(),
        "option_ids": option_ids(world, count),
        "option_persistent_ids": [],
    }
    if world.chance(0.05):  # an anonymous admin voting as their chat
        del answer["user"]
        answer["voter_chat"] = CHANNEL_A if world.chance(0.5) else CHANNEL_B
    return {"update_id": world.next_id(), "poll_answer": answer}


def poll_update(world: World) -> JSON:
    """New totals of a poll: one of the channel's (sometimes with odd counts) or unknown."""
    polls = world.bot.api.polls
    poll_id = world.pick(world.channel_polls) if world.channel_polls else None
    base = polls.get(poll_id or "", None)
    if base is None or world.chance(0.2):
        poll_id = str(world.rng.randint(1, 10**18))
        base = {
            "id": poll_id,
            "question": garbage(world, 20),
            "options": [{"text": "a", "voter_count": 0, "persistent_id": "a"}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "quiz",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    poll = {key: value for key, value in base.items() if not key.startswith("_")}
    options = [dict(option) for option in poll["options"]]
    for option in options:
        # Telegram counts voters among its users: together always below 2**31.
        option["voter_count"] = world.pick([0, 1, 5, 1000, 10**6, 10**8])
    if world.chance(0.1):
        options = options[:-1] or options
    poll["options"] = options
    poll["total_voter_count"] = world.pick([0, 3, sum(o["voter_count"] for o in options)])
    poll["is_closed"] = world.chance(0.3)
    return {"update_id": world.next_id(), "poll": poll}


def edited_update(world: World) -> JSON:
    """A private message edited afterwards (PTB hands edits to command handlers too)."""
    user = actor(world)
    text = command_text(world) if world.chance(0.5) else free_text(world)
    message = private_message(world, user, text)["message"]
    message["edit_date"] = int(time.time())
    return {"update_id": world.next_id(), "edited_message": message}


def group_chat(world: World) -> JSON:
    """A group, supergroup or channel, known or not."""
    roll = world.rng.random()
    if roll < 0.3:
        return dict(world.pick([CHANNEL_A, CHANNEL_B]))
    kind = world.pick(["group", "supergroup", "channel"])
    return {"id": -world.rng.randint(1, MAX_TELEGRAM_ID), "type": kind, "title": garbage(world, 9)}


def group_update(world: World) -> JSON:
    """A message in a group, a post in a channel, or an edited channel post."""
    chat = group_chat(world)
    text = command_text(world) if world.chance(0.6) else free_text(world)
    message: JSON = {
        "message_id": world.rng.randint(1, 10**6),
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0].encode("utf-16-le", "surrogatepass")) // 2
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    if chat["type"] == "channel":
        message["sender_chat"] = chat
        kind = "edited_channel_post" if world.chance(0.2) else "channel_post"
        return {"update_id": world.next_id(), kind: message}
    message["from"] = actor(world).as_json()
    # Telegram writes only from groups the bot is in, and the bot can write back there.
    world.bot.api.chats.setdefault(chat["id"], chat)
    return {"update_id": world.next_id(), "message": message}


RESTRICTED_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
    "is_member",
)
STATUSES = ("administrator", "member", "left", "kicked", "creator", "restricted")


def member(world: World, user: JSON, status: str) -> JSON:
    """A chat member of `status` as Telegram describes it."""
    if status == "administrator":
        found: JSON = world.bot.api._member(user, status, can_post=world.chance(0.7))
        return found
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "restricted":
        rights = RESTRICTED_RIGHTS
        return {"status": "restricted", "user": user, "until_date": 0} | dict.fromkeys(
            rights, False
        )
    return {"status": status, "user": user} | ({"until_date": 0} if status == "kicked" else {})


def member_update(world: World) -> JSON:
    """The bot's own membership (my_chat_member) or someone else's (chat_member) changed."""
    chat = group_chat(world)
    if world.chance(0.15):
        chat = actor(world).private_chat()  # a learner blocked or unblocked the bot
    by = actor(world)
    mine = world.chance(0.5)
    subject = world.bot.api.bot_user if mine else world.pick([by.as_json(), actor(world).as_json()])
    change = {
        "chat": chat,
        "from": by.as_json(),
        "date": int(time.time()),
        "old_chat_member": member(world, subject, world.pick(STATUSES)),
        "new_chat_member": member(world, subject, world.pick(STATUSES)),
    }
    return {"update_id": world.next_id(), "my_chat_member" if mine else "chat_member": change}


def odd_update(world: World) -> JSON:
    """Messages without text, service messages, and update kinds the bot never asked for."""
    user = actor(world)
    base: JSON = {
        "message_id": world.rng.randint(1, 10**6),
        "date": int(time.time()),
        "chat": user.private_chat(),
        "from": user.as_json(),
    }
    kinds: list[Callable[[], JSON]] = [
        lambda: {"message": {**base, "sticker": _sticker()}},
        lambda: {"message": {**base, "location": {"latitude": 35.7, "longitude": 51.4}}},
        lambda: {"message": {**base, "dice": {"emoji": "🎲", "value": 3}}},
        lambda: {"message": {**base, "photo": [_photo()], "caption": command_text(world)}},
        lambda: {"message": {**base, "contact": {"phone_number": "+98", "first_name": "x"}}},
        lambda: {"message": {**base, "new_chat_members": [user.as_json()]}},
        lambda: {"message": {**base, "text": free_text(world), "via_bot": user.as_json()}},
        lambda: {
            "message": {
                **base,
                "text": command_text(world),
                "forward_origin": {"type": "hidden_user", "sender_user_name": "x", "date": 1},
            }
        },
        lambda: {
            "inline_query": {"id": "1", "from": user.as_json(), "query": word(world), "offset": ""}
        },
        lambda: {"chosen_inline_result": {"result_id": "1", "from": user.as_json(), "query": ""}},
        lambda: {"some_future_update": {"x": 1}},
        lambda: {
            "message_reaction": {
                "chat": user.private_chat(),
                "message_id": 1,
                "user": user.as_json(),
                "date": int(time.time()),
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
    ]
    return {"update_id": world.next_id(), **world.pick(kinds)()}


def _sticker() -> JSON:
    return {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }


def _photo() -> JSON:
    return {"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}


MAKERS: tuple[tuple[Callable[[World], JSON], int], ...] = (
    (command_update, 30),
    (text_update, 10),
    (callback_update, 25),
    (poll_answer_update, 14),
    (poll_update, 3),
    (edited_update, 4),
    (group_update, 4),
    (member_update, 4),
    (odd_update, 6),
)


def generate(world: World) -> JSON:
    """One update, of a kind drawn by the weights above."""
    makers, weights = zip(*MAKERS, strict=True)
    maker = world.rng.choices(makers, weights)[0]
    update: dict[str, Any] = maker(world)
    return update
