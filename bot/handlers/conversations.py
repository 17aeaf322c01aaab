"""Multi-step flows as PTB ConversationHandlers whose state lives in our own table.

PTB keeps a ConversationHandler's state in the process's memory and picks the callback from
it synchronously, before any callback runs. Our flows must survive a restart and be shared
by several bot processes, and their keys (chat and user ids) must not be stored raw. So:

- `load_states` runs first for every message and button press of a person (group -1): it
  reads their stored states and drafts (one indexed read) and sets each flow's in-memory
  state for that key, so PTB dispatches on what the database says. An update that no
  flow's step or fallback could take (a `/quiz`, say) is dispatched the same whatever the
  state, since entry points are tried first (allow_reentry): it is not read at all, so a
  crowd of commands does not queue for the database before their handlers start;
- each step's handler returns a `Step`, which the unit of work writes in the update's own
  transaction (`save_step`), keyed by a keyed hash of the chat and user.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.replies import acknowledge
from bot.services import conversations as store

END = ConversationHandler.END


@dataclass(frozen=True)
class Flow:
    """A flow's name (its key in the table) and how long an idle step stays valid."""

    name: str
    ttl: timedelta = timedelta(hours=1)


class StoredConversation(ConversationHandler[QuizbotContext]):
    """A ConversationHandler whose states are read from and written to the database."""

    def __init__(
        self,
        flow: Flow,
        entry_points: Sequence[BaseHandler[Update, QuizbotContext, object]],
        states: dict[object, Sequence[BaseHandler[Update, QuizbotContext, object]]],
        fallbacks: Sequence[BaseHandler[Update, QuizbotContext, object]],
    ) -> None:
        # PTB warns that with per_message=False a CallbackQueryHandler's state is kept per
        # chat and user rather than per message: exactly what these flows want.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*per_message=False.*")
            super().__init__(
                entry_points=list(entry_points),
                states={state: list(handlers) for state, handlers in states.items()},
                fallbacks=list(fallbacks),
                allow_reentry=True,
                name=flow.name,
            )
        self.flow = flow

    def use_state(self, update: Update, state: str | None) -> None:
        """Make PTB see `state` (None: no conversation) for the update's chat and user."""
        key = self._get_key(update)
        if state is None:
            self._conversations.pop(key, None)
        else:
            self._conversations[key] = state


def conversation_key(update: Update, context: QuizbotContext) -> str | None:
    """The keyed hash of the update's chat and user; None for updates without both."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    return context.runtime.conversation_key(chat.id, user.id)


def state_loader(
    flows: Sequence[StoredConversation],
) -> TypeHandler[Update, QuizbotContext, None]:
    """The group -1 handler that loads a person's stored states before dispatch."""
    # The handlers whose turn depends on a stored state; entry points are tried first in
    # every state, and drafts are read only by steps (other features read theirs in their
    # own transaction).
    steps = [
        handler
        for flow in flows
        for handler in [*flow.fallbacks, *(h for hs in flow.states.values() for h in hs)]
    ]

    async def load_states(update: Update, context: QuizbotContext) -> None:
        if update.message is None and update.callback_query is None:
            return  # poll answers and membership changes are never part of a flow
        key = conversation_key(update, context)
        if key is None:
            return
        if not any(_takes(handler, update) for handler in steps):
            context.drafts.clear()  # never a copy older than the database's
            return
        runtime = context.runtime
        async with runtime.read_slots, runtime.read_sessions() as session:
            stored = await store.load(session, key, runtime.now())
        # The database is the source: this process's copy is replaced, not merged.
        context.drafts.clear()
        context.drafts.update({name: draft for name, (_state, draft) in stored.items()})
        for flow in flows:
            flow.use_state(update, stored.get(flow.flow.name, (None, {}))[0])

    return TypeHandler(Update, load_states)


def _takes(handler: BaseHandler[Update, QuizbotContext, object], update: Update) -> bool:
    check = handler.check_update(update)
    return check is not None and check is not False  # PTB's own test of a match


async def save_step(
    update: Update,
    context: QuizbotContext,
    session: AsyncSession,
    flow: Flow,
    state: object,
    draft: dict[str, object] | None,
) -> None:
    """Write a step's state and draft (or the end of the flow) in the update's transaction."""
    key = conversation_key(update, context)
    if key is None or state is None:  # None: PTB keeps the current state
        return
    if state == END:
        await store.end(session, flow.name, key)
        context.drafts.pop(flow.name, None)
        return
    kept = dict(draft or {})
    expires = context.runtime.now() + flow.ttl
    await store.save(session, flow.name, key, str(state), kept, expires)
    context.drafts[flow.name] = kept


async def _expired(update: Update, context: QuizbotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query, texts.FLOW_EXPIRED)


def expired_buttons(*buttons: type[Button]) -> list[ButtonHandler]:
    """For a flow's buttons pressed when the flow is over: say so, instead of "invalid"."""
    return [ButtonHandler(button, _expired) for button in buttons]
