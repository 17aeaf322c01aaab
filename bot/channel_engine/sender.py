"""The engine's view of Telegram: send a quiz poll, send a text, pin; tell the admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.channel_engine.notices import NoticeView
from bot.channel_engine.render import RenderedQuiz, RenderedText


class DeliveryError(Exception):
    """Telegram did not take the message.

    `retryable`: the request surely did not go through (a server error, a dropped
    connection), so it may be sent again. `in_doubt`: no answer came in time, so the post may
    or may not be in the channel. Neither (a refusal): it surely is not. What is not
    retryable is never resent without a person deciding.
    """

    def __init__(self, detail: str, *, retryable: bool, in_doubt: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable
        self.in_doubt = in_doubt


@dataclass(frozen=True)
class Sent:
    """What Telegram returned for a post."""

    message_id: int
    poll_id: str | None = None


class ChannelSender(Protocol):
    """Posts to channels; every method raises DeliveryError when Telegram does not take it."""

    async def send_quiz(self, chat_id: int, quiz: RenderedQuiz, silent: bool) -> Sent:
        """An anonymous quiz poll (channel polls always are), with its practice link if any."""
        ...

    async def send_text(self, chat_id: int, post: RenderedText, silent: bool) -> Sent:
        """A text post."""
        ...

    async def pin(self, chat_id: int, message_id: int) -> None:
        """Pin a post without notifying (a nicety: failures are only logged by the engine)."""
        ...

    async def free_in(self, chat_id: int, *, own_only: bool = False) -> float:
        """Seconds before a post to this chat could go out (0: now); nothing is reserved.

        `own_only`: by the chat's own limits alone (its rate, a 429's hold), not the overall one.
        """
        ...

    async def pause(self, seconds: float) -> None:
        """Wait on the clock the sending limits keep."""
        ...


class AdminNotifier(Protocol):
    """Tells the people responsible for a channel about a notice."""

    async def notify(self, notice: NoticeView) -> bool | None:
        """True once someone was told, False when every try failed, None with no one to tell.

        A notice not yet told stays pending for a later pass (and for recipients added later).
        """
        ...
