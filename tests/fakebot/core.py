"""The fake Bot API without a transport: Telegram's behaviour as one `dispatch` entry point.

`FakeTelegram` keeps chats, messages and polls, queues updates for `getUpdates` (long polling
with offsets), records every call, and can fail a method once (429 with retry_after, 5xx, a
slow answer). Its objects carry the fields python-telegram-bot 22.8 requires (Bot API 10.0
polls). Two transports carry PTB's requests to it: HTTP on 127.0.0.1 (`server.FakeBotApi`) and
a direct in-process call (`transport.InProcessRequest`); both hand `dispatch` the parameters as
they come off the wire (JSON-encoded strings), so both behave the same.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from tests.fakebot.entities import EntityError, entity_text, parse_html

JSON = dict[str, Any]

# What Telegram leaves out when a bot names no update types (or an empty list).
_NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}

# Parameters whose text must never be read as JSON ("448" is a question, not a number).
_TEXT_PARAMETERS = {
    "text",
    "question",
    "explanation",
    "caption",
    "callback_query_id",
    "description",
    "short_description",
    "title",
    "emoji",
    "query",
    "url",
    "inline_message_id",
}


def decode_parameters(fields: Mapping[str, Any]) -> JSON:
    """Parameters as the Bot API reads them: JSON-encoded values decoded, texts kept as sent."""
    params: JSON = {}
    for key, value in fields.items():
        if isinstance(value, str) and key not in _TEXT_PARAMETERS:
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


# Who Telegram names as the sender of an anonymous group admin's messages.
GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1_087_968_824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who talks to the bot."""

    id: int
    first_name: str = "Learner"
    username: str | None = None
    language_code: str = "fa"

    def as_json(self) -> JSON:
        data: JSON = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            data["username"] = self.username
        return data

    def private_chat(self) -> JSON:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: JSON
    files: dict[str, bytes] = field(default_factory=dict)
    index: int = 0
    # What Telegram answered ("result" of a successful call), None until then or on failure.
    result: Any = None

    @property
    def shown(self) -> str:
        """The text the chat shows: Telegram's parsed text (no markup) once it was sent."""
        if isinstance(self.result, dict) and "text" in self.result:
            return str(self.result["text"])
        return str(self.params.get("text"))

    @property
    def entities(self) -> list[JSON]:
        """The formatting Telegram made of the text (bold, code, …), as (type, text) dicts."""
        if not isinstance(self.result, dict):
            return []
        text = str(self.result.get("text", ""))
        return [
            {"type": entity["type"], "text": entity_text(text, entity)}
            for entity in self.result.get("entities", [])
        ]


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None = None
    delay: float = 0.0
    chat_id: int | None = None  # only a call to this chat fails (None: any call)


# BotCommandScope types the Bot API knows.
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class FakeTelegram:
    """The Bot API of one bot token, reached through `dispatch`."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": 7_000_001,
            "is_bot": True,
            "first_name": "کوییزبات",
            "username": "quizbot_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.allowed_updates: list[str] | None = None
        # The webhook setWebhook named (url, secret_token, max_connections), or None.
        self.webhook: JSON | None = None
        # Command menus by scope, as Telegram keeps them (setMyCommands' scope and language).
        self.menus: dict[tuple[Any, ...], list[JSON]] = {}
        self.chats: dict[int, JSON] = {}
        self.admins: dict[int, list[JSON]] = {}
        # Other members' statuses by (chat, user), for getChatMember ("creator", "left" …).
        self.members: dict[tuple[int, int], JSON] = {}
        # The time Telegram keeps (a poll's open_period runs on it); the tests' clock when set.
        self.clock: Callable[[], datetime] | None = None
        self.messages: dict[tuple[int, int], JSON] = {}
        self.polls: dict[str, JSON] = {}
        self.departed: set[int] = set()  # chats the bot was removed from
        self.blocked: set[int] = set()  # private chats whose user blocked the bot
        self._updates: list[JSON] = []
        self.confirmed_below = 0  # the highest offset a getUpdates named: all before it confirmed
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._poll_ids = itertools.count(5_000_000_001)
        self._callback_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        # Chats whose Bot API calls wait until their gate opens (a slow link to one chat).
        self._gates: dict[str, asyncio.Event] = {}
        self._storm_rate = 0.0
        self.storm_hits: dict[str, int] = {}  # the faults a storm injected, by kind
        self._storm_rng = random.Random(0)
        self._storm_max_delay = 0.0
        self._changed = asyncio.Condition()
        self._released = False
        # Telegram's sending limits, counted on this clock (the tests' bots skip their waits
        # on a clock they share with the fake; a bot in another process uses real time).
        self.send_clock: Callable[[], float] = time.monotonic
        self.enforce_limits = True
        self._sent: dict[str, list[float]] = {}
        self.refused_for_flood = 0
        # Seconds a window is shortened by when limits are counted on arrival (bots in other
        # processes: their request's way here varies by some milliseconds).
        self.limit_slack = 0.0
        # Bot API method names are case-insensitive: "getupdates" is "getUpdates".
        self._method_names = {
            name.removeprefix("_api_").lower(): name.removeprefix("_api_")
            for name in dir(self)
            if name.startswith("_api_")
        }

    # --- long polling ----------------------------------------------------------------

    async def release_polls(self, released: bool = True) -> None:
        """Answer waiting getUpdates at once (so a stopping bot need not wait out its poll)."""
        self._released = released
        async with self._changed:
            self._changed.notify_all()

    # --- failure injection -------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        retry_after: int | None = None,
        delay: float = 0.0,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next call of `method` (to `chat_id`, if given) fail, or with 200 be slow."""
        text = description or {
            429: "Too Many Requests: retry after",
            403: "Forbidden: bot was blocked by the user",
            502: "Bad Gateway",
        }.get(status, "Internal Server Error")
        failure = _Failure(status, text, retry_after, delay, chat_id)
        self._failures.setdefault(method, []).append(failure)

    def hold(self, chat_id: int) -> asyncio.Event:
        """Make calls to `chat_id` wait (recorded, unanswered) until the returned event is set."""
        return self._gates.setdefault(str(chat_id), asyncio.Event())

    def storm(self, rate: float, rng: random.Random | None = None, max_delay: float = 7.0) -> None:
        """From now on fail a random `rate` of all calls, any method: 429, 500, 502, slow, 400.

        A slow answer waits up to `max_delay` seconds (past PTB's 5-second read timeout
        sometimes) and then succeeds, as Telegram finishes what a client gave up on. `rate` 0
        ends the storm.
        """
        self._storm_rate = rate
        self._storm_rng = rng or random.Random(0)
        self._storm_max_delay = max_delay

    def _storm_failure(self) -> _Failure | None:
        rng = self._storm_rng
        if self._storm_rate <= 0 or rng.random() >= self._storm_rate:
            return None
        # A refusal (400) is rarer than the passing troubles, as on the real network.
        kind = rng.choices(("429", "500", "502", "slow", "400"), (3, 3, 3, 3, 1))[0]
        self.storm_hits[kind] = self.storm_hits.get(kind, 0) + 1
        if kind == "429":
            return _Failure(429, "Too Many Requests: retry after 1", retry_after=1)
        if kind == "slow":
            return _Failure(200, "", delay=rng.uniform(0.5, self._storm_max_delay))
        if kind == "400":
            return _Failure(400, "Bad Request: message can't be sent right now")
        return _Failure(int(kind), "Internal Server Error" if kind == "500" else "Bad Gateway")

    # --- what the bot did --------------------------------------------------------------

    def calls_of(self, method: str, since: int = 0) -> list[Call]:
        """Calls of `method` made at or after position `since`."""
        return [call for call in self.calls[since:] if call.method == method]

    def mark(self) -> int:
        """A position in the call log, to wait for calls made after it."""
        return len(self.calls)

    def now(self) -> float:
        """Telegram's time, as a Unix timestamp: the tests' clock when one is set."""
        return self.clock().timestamp() if self.clock is not None else time.time()

    async def wait_for(
        self,
        method: str,
        where: Callable[[JSON], bool] = lambda _: True,
        since: int = 0,
        patience: float = 15.0,
    ) -> Call:
        """The first call of `method` after `since` whose parameters satisfy `where`."""

        async def found() -> Call:
            while True:
                for call in self.calls_of(method, since):
                    if where(call.params):
                        return call
                async with self._changed:
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(found(), patience)
        except TimeoutError:
            made = [
                (c.method, {k: c.params.get(k) for k in ("chat_id", "text", "question")})
                for c in self.calls[since:]
            ]
            raise AssertionError(f"no {method} call arrived; calls since: {made}") from None

    async def wait_idle(self, quiet: float = 0.3, patience: float = 15.0) -> None:
        """Wait until the bot has made no call for `quiet` seconds."""
        deadline = time.monotonic() + patience
        seen = -1
        while time.monotonic() < deadline:
            if len([c for c in self.calls if c.method != "getUpdates"]) == seen:
                return
            seen = len([c for c in self.calls if c.method != "getUpdates"])
            await asyncio.sleep(quiet)
        raise AssertionError("the bot never went quiet")

    def texts_to(self, chat_id: int, since: int = 0) -> list[str]:
        """Texts of messages sent (or edited) to a chat, in order."""
        return [
            call.shown
            for call in self.calls[since:]
            if call.method in ("sendMessage", "editMessageText")
            and int(call.params.get("chat_id", 0)) == chat_id
        ]

    # --- what users do -----------------------------------------------------------------
    # Each `*_update` builds the update Telegram would deliver (numbered, with the message
    # stored); the async twins queue it for getUpdates. The in-process harness hands the
    # built update straight to the application instead.

    def _numbered(self, update: JSON) -> JSON:
        # A snapshot: Telegram sends an object as it was when the user acted.
        return {"update_id": next(self._update_ids), **copy.deepcopy(update)}

    async def _push(self, update: JSON) -> JSON:
        # Telegram makes only the updates a bot asked for (once it has asked).
        if self.allowed_updates is None or self._wanted(update):
            self._updates.append(update)
        async with self._changed:
            self._changed.notify_all()
        return update

    def _message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def block(self, user: FakeUser) -> None:
        """`user` blocks the bot: Telegram refuses every message to them from now on."""
        self.blocked.add(user.id)

    def text_update(self, user: FakeUser, text: str) -> JSON:
        """The update for `user` writing `text` in private chat (commands get their entity).

        Writing to the bot unblocks it, as in Telegram (a blocked bot cannot be written to).
        """
        self.blocked.discard(user.id)
        message: JSON = {
            "message_id": self._message_id(user.id),
            "date": int(time.time()),
            "chat": user.private_chat(),
            "from": user.as_json(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        self.messages[(user.id, message["message_id"])] = message
        return self._numbered({"message": message})

    def group_text_update(
        self, chat: JSON, user: FakeUser, text: str, *, as_group: bool = False
    ) -> JSON:
        """The update for `user` writing `text` in a group the bot is a member of.

        `as_group`: an anonymous admin writing as the group itself (Telegram then names
        GroupAnonymousBot as the sender and the group as the sender chat).
        """
        self.chats[chat["id"]] = chat
        sender = GROUP_ANONYMOUS_BOT if as_group else user.as_json()
        message: JSON = {
            "message_id": self._message_id(chat["id"]),
            "date": int(self.now()),
            "chat": chat,
            "from": sender,
            "text": text,
        }
        if as_group:
            message["sender_chat"] = chat
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        self.messages[(chat["id"], message["message_id"])] = message
        return self._numbered({"message": message})

    def poll_message_update(
        self,
        user: FakeUser,
        question: str,
        options: list[str],
        *,
        correct: list[int] | None = None,
        quiz: bool = True,
        explanation: str | None = None,
        forwarded_from: JSON | None = None,
    ) -> JSON:
        """The update for `user` sending (or forwarding from a channel) a poll in private chat.

        A quiz carries its right options only when `correct` is given: Telegram shows them to
        the quiz's creator, not to whoever receives a forward.
        """
        poll_id = str(next(self._poll_ids))
        poll: JSON = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "quiz" if quiz else "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        if quiz and correct is not None:
            poll["correct_option_ids"] = correct
        if explanation is not None:
            poll["explanation"] = explanation
        message: JSON = {
            "message_id": self._message_id(user.id),
            "date": int(time.time()),
            "chat": user.private_chat(),
            "from": user.as_json(),
            "poll": poll,
        }
        if forwarded_from is not None:
            message["forward_origin"] = {
                "type": "channel",
                "chat": forwarded_from,
                "message_id": 41,
                "date": int(time.time()) - 86_400,
            }
        self.messages[(user.id, message["message_id"])] = message
        return self._numbered({"message": message})

    def callback_update(self, user: FakeUser, message: JSON, data: str) -> JSON:
        """The update for `user` pressing the inline button `data` under `message`."""
        return self._numbered(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": user.as_json(),
                    "message": message,
                    "chat_instance": f"ci-{user.id}",
                    "data": data,
                }
            }
        )

    def poll_answer_update(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> JSON:
        """The update for `user` voting in a poll (an empty list takes the vote back)."""
        poll = self.polls.get(poll_id)
        persistent = [poll["options"][i]["persistent_id"] for i in option_ids] if poll else []
        return self._numbered(
            {
                "poll_answer": {
                    "poll_id": poll_id,
                    "user": user.as_json(),
                    "option_ids": option_ids,
                    "option_persistent_ids": persistent,
                }
            }
        )

    def poll_update(
        self, poll_id: str, counts: list[int], closed: bool = False, voters: int | None = None
    ) -> JSON:
        """The update with a poll's new totals (as Telegram sends for channel polls).

        `voters` is how many people voted: in a poll that allows several answers one voter
        may count for several options, so it is given; otherwise it is the sum of the counts.
        """
        poll = self.polls[poll_id]
        for option, count in zip(poll["options"], counts, strict=True):
            option["voter_count"] = count
        if voters is None or not poll["allows_multiple_answers"]:
            assert voters in (None, sum(counts)), "one answer each: voters are the counts' sum"
            voters = sum(counts)
        assert max(counts, default=0) <= voters <= sum(counts)
        poll["total_voter_count"] = voters
        poll["is_closed"] = closed
        return self._numbered({"poll": _without_private(poll)})

    def channel_post_update(self, chat: JSON, text: str) -> JSON:
        """The update for a post appearing in a channel the bot is in."""
        return self._numbered(
            {
                "channel_post": {
                    "message_id": self._message_id(chat["id"]),
                    "date": int(time.time()),
                    "chat": chat,
                    "text": text,
                }
            }
        )

    def my_chat_member_update(
        self, chat: JSON, by: FakeUser, old: str, new: str, can_post: bool = True
    ) -> JSON:
        """The update for the bot's membership in a chat changing (e.g. made a channel admin)."""
        self.chats[chat["id"]] = chat
        if new in ("left", "kicked"):
            self.departed.add(chat["id"])  # Telegram refuses its messages there from now on
        else:
            self.departed.discard(chat["id"])
        return self._numbered(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": by.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": self._member(self.bot_user, old, can_post),
                    "new_chat_member": self._member(self.bot_user, new, can_post),
                }
            }
        )

    def chat_member_update(
        self, chat: JSON, by: FakeUser, user: FakeUser, old: str, new: str, can_post: bool = True
    ) -> JSON:
        """The update for another member's status in a chat changing (e.g. made an admin).

        Telegram's admin list (getChatAdministrators) follows the change.
        """
        admins = self.admins.setdefault(chat["id"], [])
        admins[:] = [a for a in admins if a["user"]["id"] != user.id]
        if new in ("administrator", "creator"):
            admins.append(self._member(user.as_json(), new, can_post))
        return self._numbered(
            {
                "chat_member": {
                    "chat": chat,
                    "from": by.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": self._member(user.as_json(), old, can_post),
                    "new_chat_member": self._member(user.as_json(), new, can_post),
                }
            }
        )

    async def push_raw(self, body: JSON) -> JSON:
        """Queue an update exactly as given (numbered): e.g. one a bot library cannot read."""
        return await self._push(self._numbered(body))

    async def delivered(self, patience: float = 15.0) -> None:
        """Wait until the bot confirmed every update queued so far (it settled them all).

        The bot handles updates from different people, chats and polls concurrently; a test
        that needs one's effect before another's (a poll's totals before /results) waits here.
        """
        last = max((u["update_id"] for u in self._updates), default=0)

        async def confirmed() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self.confirmed_below > last)

        await asyncio.wait_for(confirmed(), patience)

    def unconfirmed(self) -> list[int]:
        """The ids of queued updates the bot has not yet confirmed (Telegram would resend)."""
        return [u["update_id"] for u in self._updates if u["update_id"] >= self.confirmed_below]

    async def send_text(self, user: FakeUser, text: str) -> JSON:
        """The user writes `text` to the bot in private chat; returns the message."""
        update = await self._push(self.text_update(user, text))
        return self.messages[(user.id, update["message"]["message_id"])]

    async def send_poll(
        self, user: FakeUser, question: str, options: list[str], **poll: Any
    ) -> JSON:
        """The user sends or forwards a poll to the bot (see `poll_message_update`)."""
        await self._push(self.poll_message_update(user, question, options, **poll))
        return self.messages[max(key for key in self.messages if key[0] == user.id)]

    async def send_group_text(self, chat: JSON, user: FakeUser, text: str) -> JSON:
        """`user` writes `text` in a group the bot is in; returns the message."""
        update = await self._push(self.group_text_update(chat, user, text))
        return self.messages[(chat["id"], update["message"]["message_id"])]

    async def press(self, user: FakeUser, message: JSON, data: str) -> str:
        """The user presses an inline button under `message`; returns the callback query id."""
        update = await self._push(self.callback_update(user, message, data))
        return str(update["callback_query"]["id"])

    async def answer_poll(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> None:
        """The user votes in a poll (an empty list takes the vote back)."""
        await self._push(self.poll_answer_update(user, poll_id, option_ids))

    async def vote(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> int:
        """The user votes in a poll the bot sent, reported as Telegram does: the poll_answer,
        then a `poll` update with the poll's new totals (sent for every vote); the id of that
        last update."""
        assert option_ids, "a vote ticks an option (answer_poll takes one back)"
        await self.answer_poll(user, poll_id, option_ids)
        poll = self.polls[poll_id]
        counts = [
            option["voter_count"] + (i in option_ids) for i, option in enumerate(poll["options"])
        ]
        voters = poll["total_voter_count"] + 1 if poll["allows_multiple_answers"] else None
        update = await self._push(self.poll_update(poll_id, counts, voters=voters))
        return int(update["update_id"])

    def add_quiz_poll(self, poll_id: str, options: int, correct: list[int]) -> None:
        """A private quiz poll as if the bot had sent it (benches vote in thousands of them;
        sending each through Telegram's limits would only measure the limits)."""
        self.polls[poll_id] = {
            "id": poll_id,
            "question": poll_id,
            "options": [
                {"text": str(i), "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i in range(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": False,
            "type": "quiz",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
            "correct_option_ids": correct,
        }

    async def poll_results(self, poll_id: str, counts: list[int], closed: bool = False) -> None:
        """Telegram reports a poll's new totals (as it does for channel polls)."""
        await self._push(self.poll_update(poll_id, counts, closed))

    async def channel_post(self, chat: JSON, text: str) -> None:
        """A post appears in a channel the bot is in."""
        await self._push(self.channel_post_update(chat, text))

    async def chat_member_change(
        self, chat: JSON, by: FakeUser, old: str, new: str, can_post: bool = True
    ) -> None:
        """The bot's membership in a chat changes (e.g. it is made a channel admin)."""
        await self._push(self.my_chat_member_update(chat, by, old, new, can_post))

    @staticmethod
    def _member(user: JSON, status: str, can_post: bool = True) -> JSON:
        if status != "administrator":
            return {"status": status, "user": user} | (
                {"until_date": 0} if status == "kicked" else {}
            )
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": False,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_messages": can_post,
            "can_edit_messages": can_post,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }

    def set_member(self, chat_id: int, user: FakeUser, status: str) -> None:
        """What getChatMember reports for `user` in a chat ("creator", "member", "left" …)."""
        if status == "creator":
            self.members[(chat_id, user.id)] = {
                "status": "creator",
                "user": user.as_json(),
                "is_anonymous": False,
            }
        else:
            self.members[(chat_id, user.id)] = self._member(user.as_json(), status)

    def set_admins(self, chat_id: int, users: list[FakeUser], can_post: bool = True) -> None:
        """Who getChatAdministrators reports for a chat."""
        self.admins[chat_id] = [self._member(u.as_json(), "administrator", can_post) for u in users]

    # --- the one entry point -----------------------------------------------------------

    def refuse_token(self, token: str) -> tuple[int, JSON] | None:
        """Telegram's answer to a request with another bot's token (None for ours)."""
        if token == self.token:
            return None
        return 401, _error_body(401, "Unauthorized")

    async def dispatch(
        self, method: str, fields: Mapping[str, Any], files: dict[str, bytes]
    ) -> tuple[int, JSON]:
        """Serve one Bot API call: the HTTP status and the JSON body Telegram would answer.

        `fields` are the parameters as sent (form values are JSON-encoded strings; a JSON body
        gives values already decoded), `files` the uploaded multipart parts.
        """
        params = decode_parameters(fields)
        method = self._method_names.get(method.lower(), method)  # Telegram ignores case
        call = Call(method, params, files, index=len(self.calls))
        if method != "getUpdates":
            self.calls.append(call)
            async with self._changed:
                self._changed.notify_all()
        gate = self._gates.get(str(params.get("chat_id")))
        if gate is not None:
            await gate.wait()
        failures = self._failures.get(method, [])
        chat = params.get("chat_id")
        aimed = [f for f in failures if f.chat_id is None or str(f.chat_id) == str(chat)]
        if aimed:
            failures.remove(aimed[0])
        failure = aimed[0] if aimed else self._storm_failure()
        if failure is not None:
            await asyncio.sleep(failure.delay)
            if failure.status != 200:
                body = _error_body(failure.status, failure.description)
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return failure.status, body
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, _error_body(404, "Not Found: method not found")
        flood = self._flood_wait(method, params)
        if flood is not None:
            self.refused_for_flood += 1
            body = _error_body(429, f"Too Many Requests: retry after {flood}")
            body["parameters"] = {"retry_after": flood}
            return 429, body
        try:
            result = await handler(params, files)
        except ApiError as error:
            return error.code, _error_body(error.code, error.description)
        self._count_send(method, params)
        if method != "getUpdates":  # kept in the call log: what was answered then
            call.result = copy.deepcopy(result)
        return 200, {"ok": True, "result": result}

    # --- Telegram's sending limits --------------------------------------------------------

    _LIMITS: ClassVar[dict[str, tuple[int, float]]] = {
        "overall": (30, 1.0),
        "group": (20, 60.0),
        "private": (1, 1.0),
    }

    def _send_keys(self, method: str, params: JSON) -> list[tuple[str, str]]:
        if not method.startswith(("send", "copyMessage", "forwardMessage")):
            return []
        keys = [("*", "overall")]
        chat = params.get("chat_id")
        if chat is not None:
            private = str(chat).lstrip("-").isdigit() and int(chat) > 0
            keys.append((str(chat), "private" if private else "group"))
        return keys

    def _flood_wait(self, method: str, params: JSON) -> int | None:
        """Seconds to wait when this send would go past a limit (Telegram's 429), or None."""
        if not self.enforce_limits:
            return None
        now = self.send_clock()
        for key, kind in self._send_keys(method, params):
            count, seconds = self._LIMITS[kind]
            recent = [t for t in self._sent.get(key, []) if t > now - seconds + self.limit_slack]
            if len(recent) >= count:
                return max(1, math.ceil(recent[-count] + seconds - now))
        return None

    def _count_send(self, method: str, params: JSON) -> None:
        now = self.send_clock()
        for key, _ in self._send_keys(method, params):
            self._sent.setdefault(key, []).append(now)

    # --- Bot API methods ---------------------------------------------------------------

    async def _api_getMe(self, params: JSON, files: dict[str, bytes]) -> JSON:
        return self.bot_user

    # --- webhooks: while one is set, updates are POSTed to it (server.FakeBotApi does) ---

    async def _api_setWebhook(self, params: JSON, files: dict[str, bytes]) -> bool:
        url = str(params.get("url") or "")
        if not url:  # Telegram: an empty URL removes the webhook
            return await self._api_deleteWebhook(params, files)
        if not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        if "allowed_updates" in params:
            self._allow(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "max_connections": max_connections,
        }
        await self._webhook_changed()
        return True

    async def _api_deleteWebhook(self, params: JSON, files: dict[str, bytes]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self.webhook is not None:
            self.webhook = None
            await self._webhook_changed()
        return True

    async def _api_getWebhookInfo(self, params: JSON, files: dict[str, bytes]) -> JSON:
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._deliverable()),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook["max_connections"]
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
        return info

    async def _webhook_changed(self) -> None:
        """A webhook was set or removed (the HTTP server starts or stops delivering)."""
        async with self._changed:
            self._changed.notify_all()

    def acknowledge(self, update_id: int) -> None:
        """The webhook answered 2xx for this update: Telegram forgets it."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]

    def pending(self) -> list[JSON]:
        """The updates Telegram still holds for the bot (not confirmed, not acknowledged)."""
        return list(self._deliverable())

    async def _api_getUpdates(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if "allowed_updates" in params:
            self._allow(params["allowed_updates"])
        # An offset confirms every update before it: Telegram forgets them.
        if offset > self.confirmed_below:
            self.confirmed_below = offset
            async with self._changed:
                self._changed.notify_all()
        # The queue is in update_id order: the confirmed ones are a prefix.
        del self._updates[: bisect.bisect_left(self._updates, offset, key=_update_id)]
        if not self._deliverable() and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._deliverable()) or self._released),
                        timeout,
                    )
        return self._deliverable()[:limit]

    def _deliverable(self) -> list[JSON]:
        """The queued updates of the types the bot asked for; Telegram drops the others.

        Once the bot named its list, only wanted updates are queued (`_push`, `_allow`): this
        is read on every new update by every waiting getUpdates, so it must not walk the queue.
        """
        if self.allowed_updates is None:
            self._updates = [u for u in self._updates if self._wanted(u)]
        return self._updates

    def _allow(self, kinds: list[str]) -> None:
        """The bot named the updates it wants: the queued others are dropped.

        (Telegram may still deliver unwanted updates made before the list changed; the bots
        here name their list before any update arrives.)
        """
        if list(kinds) != self.allowed_updates:
            self.allowed_updates = list(kinds)
            self._updates = [u for u in self._updates if self._wanted(u)]

    def _wanted(self, update: JSON) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _NOT_BY_DEFAULT

    @property
    def commands(self) -> list[JSON]:
        """The default menu: what every chat without a more specific one shows."""
        return self.menus.get(("default", None, None, ""), [])

    def menu_of(self, chat_id: int) -> list[JSON]:
        """The menu a private chat shows: its own scope's, else all private chats', else the
        default (Telegram's order, for the default language)."""
        for key in (("chat", chat_id, None, ""), ("all_private_chats", None, None, "")):
            if key in self.menus:
                return self.menus[key]
        return self.commands

    @staticmethod
    def _scope_key(params: JSON) -> tuple[Any, ...]:
        scope = params.get("scope") or {"type": "default"}
        kind = scope.get("type")
        if kind not in _SCOPES:
            raise ApiError(400, "Bad Request: unsupported bot command scope type")
        chat_id, user_id = scope.get("chat_id"), scope.get("user_id")
        if kind in ("chat", "chat_administrators", "chat_member") and chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if kind == "chat_member" and user_id is None:
            raise ApiError(400, "Bad Request: user not found")
        return (
            kind,
            None if chat_id is None else int(chat_id),
            user_id,
            params.get("language_code") or "",
        )

    async def _api_setMyCommands(self, params: JSON, files: dict[str, bytes]) -> bool:
        key = self._scope_key(params)
        commands = list(params.get("commands", []))
        if commands:
            self.menus[key] = commands
        else:
            self.menus.pop(key, None)  # an empty list is how Telegram is told to drop one
        return True

    async def _api_deleteMyCommands(self, params: JSON, files: dict[str, bytes]) -> bool:
        self.menus.pop(self._scope_key(params), None)
        return True

    async def _api_getMyCommands(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        return self.menus.get(self._scope_key(params), [])

    def _chat(self, chat_id: Any) -> JSON:
        chat_id = int(chat_id)
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Learner"}
        raise ApiError(400, "Bad Request: chat not found")

    def _new_message(self, params: JSON, **content: Any) -> JSON:
        chat = self._chat(params["chat_id"])
        if chat["id"] in self.departed:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        if chat["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        message: JSON = {
            "message_id": self._message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **content,
        }
        if chat["type"] == "channel":
            message.pop("from")
            message["sender_chat"] = chat
        if "reply_markup" in params and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def _api_sendMessage(self, params: JSON, files: dict[str, bytes]) -> JSON:
        return self._new_message(params, **_formatted(params))

    def _existing(self, params: JSON) -> JSON:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key[0] in self.departed:
            chat = self._chat(key[0])
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _api_editMessageText(self, params: JSON, files: dict[str, bytes]) -> JSON:
        message = self._existing(params)
        # Telegram refuses an edit that leaves both the text and the inline keyboard as they are.
        content = _formatted(params)
        same_text = message.get("text") == content["text"]
        if same_text and params.get("reply_markup") == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("entities", None)
        message.update(content)
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_editMessageReplyMarkup(self, params: JSON, files: dict[str, bytes]) -> JSON:
        message = self._existing(params)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_answerCallbackQuery(self, params: JSON, files: dict[str, bytes]) -> bool:
        return True

    async def _api_sendPoll(self, params: JSON, files: dict[str, bytes]) -> JSON:
        options = [o if isinstance(o, str) else o["text"] for o in params["options"]]
        poll_id = str(next(self._poll_ids))
        poll: JSON = {
            "id": poll_id,
            "question": params["question"],
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", False)),
            "members_only": bool(params.get("members_only", False)),
        }
        if poll["type"] == "quiz":
            if "correct_option_id" in params:
                raise ApiError(400, "Bad Request: correct_option_id was removed in Bot API 9.6")
            correct = list(params.get("correct_option_ids", []))
            poll["correct_option_ids"] = correct
            if not correct:
                raise ApiError(400, "Bad Request: quiz poll needs correct_option_ids")
            # Several right options only in a poll that lets a voter tick several; each an
            # option's id, in increasing order.
            several = len(correct) > 1 and not poll["allows_multiple_answers"]
            in_range = all(0 <= i < len(options) for i in correct) and correct == sorted(
                set(correct)
            )
            if several or not in_range:
                raise ApiError(400, "Bad Request: wrong correct option ID specified")
        if params.get("explanation"):
            poll["explanation"] = params["explanation"]
        if "open_period" in params:
            period = int(params["open_period"])
            if not 5 <= period <= 600:
                raise ApiError(400, "Bad Request: poll open period must be between 5 and 600")
            poll["open_period"] = period
            poll["close_date"] = int(self.now()) + period
        chat = self._chat(params["chat_id"])
        if chat["type"] == "channel" and not poll["is_anonymous"]:
            raise ApiError(400, "Bad Request: polls in channels must be anonymous")
        message = self._new_message(params, poll=poll)
        self.polls[poll_id] = poll
        poll["_where"] = (message["chat"]["id"], message["message_id"])
        return _without_private(message)

    def poll_closed(self, poll_id: str) -> bool:
        """Whether a poll is closed: stopped, or its open_period over by Telegram's clock."""
        poll = self.polls[poll_id]
        if not poll["is_closed"] and "close_date" in poll and self.now() >= poll["close_date"]:
            poll["is_closed"] = True  # Telegram closes a poll itself when its period ends
        return bool(poll["is_closed"])

    async def _api_stopPoll(self, params: JSON, files: dict[str, bytes]) -> JSON:
        message = self._existing(params)
        poll = message.get("poll")
        if poll is None:
            raise ApiError(400, "Bad Request: message with poll to stop not found")
        if self.poll_closed(poll["id"]):
            raise ApiError(400, "Bad Request: poll has already been closed")
        poll["is_closed"] = True
        return _without_private(poll)

    async def _api_sendPhoto(self, params: JSON, files: dict[str, bytes]) -> JSON:
        data = files.get("photo")
        if data is None:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        photo = [
            {
                "file_id": f"photo-{len(self.messages)}",
                "file_unique_id": "u",
                "width": 800,
                "height": 600,
                "file_size": len(data),
            }
        ]
        content: JSON = {"photo": photo}
        if params.get("caption"):
            content["caption"] = _caption(params)
        return self._new_message(params, **content)

    async def _api_sendDocument(self, params: JSON, files: dict[str, bytes]) -> JSON:
        data = files.get("document")
        if data is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        document = {
            "file_id": f"doc-{len(self.messages)}",
            "file_unique_id": "d",
            "file_name": "file",
            "file_size": len(data),
        }
        content: JSON = {"document": document}
        if params.get("caption"):
            content["caption"] = _caption(params)
        return self._new_message(params, **content)

    async def _api_getChat(self, params: JSON, files: dict[str, bytes]) -> JSON:
        chat = dict(self._chat(params["chat_id"]))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault(
            "accepted_gift_types",
            {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat

    async def _api_getChatAdministrators(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        return self.admins.get(int(params["chat_id"]), [])

    async def _api_getChatMember(self, params: JSON, files: dict[str, bytes]) -> JSON:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        for member in self.admins.get(chat_id, []):
            if member["user"]["id"] == user_id:
                return member
        if (chat_id, user_id) in self.members:
            return self.members[(chat_id, user_id)]
        return {"status": "member", "user": {"id": user_id, "is_bot": False, "first_name": "U"}}

    async def _api_deleteMessage(self, params: JSON, files: dict[str, bytes]) -> bool:
        self._existing(params)
        del self.messages[(int(params["chat_id"]), int(params["message_id"]))]
        return True

    async def _api_pinChatMessage(self, params: JSON, files: dict[str, bytes]) -> bool:
        self._existing(params)
        return True


class ApiError(Exception):
    """A refusal as Telegram words it (HTTP status and description)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _update_id(update: JSON) -> int:
    return int(update["update_id"])


def _error_body(code: int, description: str) -> JSON:
    return {"ok": False, "error_code": code, "description": description}


def _formatted(params: JSON) -> JSON:
    """A message's text and entities as Telegram makes them; its limits count the plain text."""
    source = str(params.get("text", ""))
    mode = str(params.get("parse_mode") or "")
    content: JSON = {"text": source}
    if mode.lower() == "html":
        try:
            text, entities = parse_html(source)
        except EntityError as error:
            raise ApiError(400, str(error)) from error
        content = {"text": text, "entities": entities} if entities else {"text": text}
    elif mode:
        raise ApiError(400, f'Bad Request: unsupported parse_mode "{mode}"')
    if not content["text"].strip() or len(content["text"].encode("utf-16-le")) // 2 > 4096:
        raise ApiError(400, "Bad Request: message text is empty or too long")
    return content


def _caption(params: JSON) -> str:
    """The caption, refused as Telegram refuses one over 1024 UTF-16 code units."""
    caption = str(params["caption"])
    if len(caption.encode("utf-16-le")) // 2 > 1024:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption


def _without_private(data: JSON) -> JSON:
    """The object as the API returns it (bookkeeping keys removed)."""
    if isinstance(data.get("poll"), dict):
        return {**data, "poll": _without_private(data["poll"])}
    return {key: value for key, value in data.items() if not key.startswith("_")}
