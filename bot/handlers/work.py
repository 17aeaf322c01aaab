"""One unit of work per update: decide in one transaction, then render and send.

A handler is written as `decide(update, context, session) -> outcome`: it reads the update and
calls one service function inside the transaction this wrapper opens. After the commit the
outcome is rendered by the function registered for its type (`@renders`), which sends to
Telegram; nothing is sent while a transaction is open. A handler may return a tuple of
outcomes (shown in order) or a `Step` of a conversation (outcome, next state, draft).
For a button press, a renderer may return an alert text; the press is acknowledged with it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.context import QuizbotContext
from bot.handlers.conversations import Flow, save_step
from bot.handlers.replies import acknowledge, reply
from bot.settling import settle

Decide = Callable[[Update, QuizbotContext, AsyncSession], Awaitable[object]]
Callback = Callable[[Update, QuizbotContext], Coroutine[Any, Any, object]]
Renderer = Callable[[Update, QuizbotContext, Any], Awaitable[str | None]]
R = TypeVar("R", bound=Renderer)
D = TypeVar("D", bound=Decide)

_RENDERERS: dict[type, Renderer] = {}


def renders(*kinds: type) -> Callable[[R], R]:
    """Register the function that shows outcomes of these types."""

    def register(renderer: R) -> R:
        for kind in kinds:
            if kind in _RENDERERS:
                raise ValueError(f"{kind.__name__} already has a renderer")
            _RENDERERS[kind] = renderer
        return renderer

    return register


def renderer_of(kind: type) -> Renderer | None:
    """The registered renderer of an outcome type (tests check that each type has one)."""
    return _RENDERERS.get(kind)


@dataclass(frozen=True)
class Step:
    """A conversation step: what to show, the flow's next state, the draft to keep till then."""

    flow: Flow
    outcome: object
    state: object  # a state of the flow, or END
    draft: dict[str, Any] | None = None


async def present(update: Update, context: QuizbotContext, result: object) -> object:
    """Render an outcome (or a tuple of them); return the next state when it is a Step."""
    state = None
    if isinstance(result, Step):
        state, result = result.state, result.outcome
    outcomes = result if isinstance(result, tuple) else (result,)
    alert = None
    for outcome in outcomes:
        if outcome is None:
            continue
        renderer = _RENDERERS.get(type(outcome))
        if renderer is None:
            raise TypeError(f"no renderer for {type(outcome).__name__}")
        alert = await renderer(update, context, outcome) or alert
    if update.callback_query is not None:
        await acknowledge(update.callback_query, alert)
    elif alert is not None:
        await reply(update, alert)
    return state


async def _decided(
    decide: Decide,
    update: Update,
    context: QuizbotContext,
    sessions: async_sessionmaker[AsyncSession],
) -> object:
    """`decide` in one transaction, with the conversation step it returns saved in it."""
    async with sessions.begin() as session:
        result = await decide(update, context, session)
        if isinstance(result, Step):
            await save_step(update, context, session, result.flow, result.state, result.draft)
    return result


_READERS: set[Decide] = set()


def reads_only(decide: D) -> D:
    """Mark a decide function that only reads (its units of work are `read_only`)."""
    _READERS.add(decide)
    return decide


def unit_of_work(decide: Decide, *, read_only: bool = False) -> Callback:
    """A PTB callback that runs `decide` in one transaction and renders after the commit.

    `read_only` work (exports, picking a quiz) runs in a deferred transaction that never
    holds SQLite's write lock; having nothing to commit, its update has settled at once.
    """
    read_only = read_only or decide in _READERS

    @functools.wraps(decide)
    async def callback(update: Update, context: QuizbotContext) -> object:
        runtime = context.runtime
        sessions = runtime.read_sessions if read_only else runtime.sessions
        if read_only:
            settle()  # nothing of it to lose: the update may be confirmed now
            async with runtime.read_slots:
                result = await _decided(decide, update, context, sessions)
        else:
            result = await _decided(decide, update, context, sessions)
        settle()  # committed: the update may be confirmed to Telegram while replies go out
        return await present(update, context, result)

    return callback
