"""Writing bank items in chat: a channel admin sends or forwards a quiz poll (or a text in the
channel's interview or lesson format) → the item as the bank will hold it → its right answer
when Telegram does not say → topic → difficulty → saved. Every step has a cancel button;
/cancel works too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.bank.issues import ContentIssue
from bot.context import QuizbotContext
from bot.db.models import ItemKind
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.conversations import END, Flow, StoredConversation, expired_buttons
from bot.handlers.replies import reply
from bot.handlers.work import Step, renders, unit_of_work
from bot.persian import fa_number
from bot.services.content import authoring
from bot.services.content.authoring import (
    AskAnswer,
    AskDifficulty,
    AskTopic,
    AuthorAborted,
    AuthorDraft,
    AuthorExpired,
    Invalid,
    ItemSaved,
    ReceivedPoll,
)

AUTHOR = Flow("author")
ANSWER, TOPIC, DIFFICULTY = "answer", "topic", "difficulty"


class _ChannelFormat(filters.MessageFilter):
    """Texts the history import's recogniser reads as an interview question or a lesson; any
    other text goes on to the handlers registered after this flow."""

    def filter(self, message: Message) -> bool:
        return authoring.text_draft(message.text or "") is not None


CHANNEL_FORMAT = _ChannelFormat(name="channel_format")


@dataclass(frozen=True)
class AnswerButton(Button):
    """This option (0-based) is the right one."""

    prefix: ClassVar[str] = "aa"
    position: int


@dataclass(frozen=True)
class TopicButton(Button):
    """The item belongs to this topic."""

    prefix: ClassVar[str] = "at"
    topic: str


@dataclass(frozen=True)
class LevelButton(Button):
    """The quiz's difficulty, 1–3."""

    prefix: ClassVar[str] = "al"
    level: int


@dataclass(frozen=True)
class AuthorCancelButton(Button):
    """Save nothing."""

    prefix: ClassVar[str] = "ax"


def _draft(context: QuizbotContext) -> AuthorDraft | None:
    return AuthorDraft.of(context.drafts.get(AUTHOR.name, {}))


def _step(outcome: object) -> Step:
    """Where each outcome leaves the conversation."""
    if isinstance(outcome, AskAnswer):
        return Step(AUTHOR, outcome, ANSWER, outcome.draft.data())
    if isinstance(outcome, AskTopic):
        return Step(AUTHOR, outcome, TOPIC, outcome.draft.data())
    if isinstance(outcome, AskDifficulty):
        return Step(AUTHOR, outcome, DIFFICULTY, outcome.draft.data())
    # Saved, refused by the bank's rules, not an admin, expired or cancelled: over.
    return Step(AUTHOR, outcome, END)


async def poll_received(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A poll sent or forwarded in private chat."""
    message = update.effective_message
    poll = message.poll if message is not None else None
    if poll is None:
        return None
    received = ReceivedPoll(
        poll.question,
        [option.text for option in poll.options],
        # Telegram shows a quiz's right answer only to the one who made it (and the bot that
        # sent it); a regular poll has none.
        list(poll.correct_option_ids or []) if poll.type == poll.QUIZ else None,
        poll.explanation,
    )
    draft = authoring.poll_draft(received)
    return _step(await authoring.begin(session, admin_of(update, context), draft))


async def text_received(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A text in the interview format."""
    message = update.effective_message
    draft = authoring.text_draft(message.text or "") if message is not None else None
    if draft is None:
        return None
    return _step(await authoring.begin(session, admin_of(update, context), draft))


async def answer_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The right option of a poll that did not say."""
    button = AnswerButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return _step(await authoring.choose_answer(session, admin, _draft(context), button.position))


async def topic_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The topic."""
    button = TopicButton.pressed(update)
    if button is None:
        return None
    admin, now = admin_of(update, context), context.runtime.now()
    return _step(await authoring.choose_topic(session, admin, _draft(context), button.topic, now))


async def level_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The difficulty."""
    button = LevelButton.pressed(update)
    if button is None:
        return None
    admin, now = admin_of(update, context), context.runtime.now()
    return _step(
        await authoring.choose_difficulty(session, admin, _draft(context), button.level, now)
    )


async def cancel(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The cancel button or /cancel, at any step."""
    return Step(AUTHOR, AuthorAborted(), END)


def _cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.AUTHOR_CANCEL, callback_data=AuthorCancelButton().encode())]


def item_text(draft: AuthorDraft, topic_title: str | None = None) -> str:
    """The item as the bank will hold it: question, options with the right one, explanation."""
    if draft.kind == "lesson":
        text = texts.AUTHOR_PREVIEW_LESSON.format(
            title=draft.question, body="\n".join(draft.answer), hashtags=" ".join(draft.tags)
        )
    elif draft.kind == "interview":
        bullets = "\n".join(texts.AUTHOR_BULLET.format(text=line) for line in draft.answer)
        text = texts.AUTHOR_PREVIEW_INTERVIEW.format(question=draft.question, bullets=bullets)
    else:
        right = set(draft.correct or [])
        unknown = draft.correct is None
        lines = []
        for position, option in enumerate(draft.options):
            if unknown:
                mark = texts.AUTHOR_UNKNOWN_MARK
            else:
                mark = texts.AUTHOR_RIGHT_MARK if position in right else texts.AUTHOR_OTHER_MARK
            lines.append(
                texts.AUTHOR_OPTION.format(mark=mark, number=fa_number(position + 1), text=option)
            )
        text = texts.AUTHOR_PREVIEW_QUIZ.format(question=draft.question, options="\n".join(lines))
        if draft.explanation:
            text += texts.AUTHOR_EXPLANATION.format(text=draft.explanation)
    if topic_title is not None:
        text += texts.AUTHOR_TOPIC_LINE.format(title=topic_title)
    if draft.difficulty is not None:
        text += texts.AUTHOR_DIFFICULTY_LINE.format(level=texts.DIFFICULTY_TITLES[draft.difficulty])
    return text


@renders(AskAnswer)
async def show_ask_answer(update: Update, context: QuizbotContext, outcome: AskAnswer) -> None:
    """The poll as received, and a button per option."""
    buttons = [
        InlineKeyboardButton(
            texts.AUTHOR_ANSWER_BUTTON.format(number=fa_number(position + 1)),
            callback_data=AnswerButton(position).encode(),
        )
        for position in range(len(outcome.draft.options))
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    text = item_text(outcome.draft) + "\n\n" + texts.AUTHOR_ASK_ANSWER
    await reply(update, text, reply_markup=InlineKeyboardMarkup([*rows, _cancel_row()]))


@renders(AskTopic)
async def show_ask_topic(update: Update, context: QuizbotContext, outcome: AskTopic) -> None:
    """The item, and a button per topic (its Persian title)."""
    buttons = [
        InlineKeyboardButton(topic.title, callback_data=TopicButton(topic.id).encode())
        for topic in outcome.topics
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = item_text(outcome.draft) + "\n\n" + texts.AUTHOR_ASK_TOPIC
    await reply(update, text, reply_markup=InlineKeyboardMarkup([*rows, _cancel_row()]))


@renders(AskDifficulty)
async def show_ask_difficulty(
    update: Update, context: QuizbotContext, outcome: AskDifficulty
) -> None:
    """A button per difficulty."""
    buttons = [
        InlineKeyboardButton(title, callback_data=LevelButton(level).encode())
        for level, title in texts.DIFFICULTY_TITLES.items()
    ]
    await reply(
        update,
        texts.AUTHOR_ASK_DIFFICULTY,
        reply_markup=InlineKeyboardMarkup([buttons, _cancel_row()]),
    )


@renders(ItemSaved)
async def show_saved(update: Update, context: QuizbotContext, outcome: ItemSaved) -> None:
    """Saved: the id, and how to schedule or post it."""
    template = {
        ItemKind.QUIZ: texts.AUTHOR_SAVED_QUIZ,
        ItemKind.INTERVIEW: texts.AUTHOR_SAVED_INTERVIEW,
        ItemKind.LESSON: texts.AUTHOR_SAVED_LESSON,
    }[outcome.kind]
    await reply(update, template.format(id=outcome.item_id))


def _field(name: str | None) -> str:
    fields = texts.AUTHOR_FIELDS
    if name is None:
        return fields["item"]
    found = re.fullmatch(r"(options|answer)\[(\d+)\]", name)
    if found:
        key = "option" if found.group(1) == "options" else "answer_bullet"
        return fields[key].format(number=fa_number(int(found.group(2))))
    return fields.get(name, name)


# The bank's problems (English, for files) and their Persian wording in the catalogue.
_PROBLEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "too_long",
        re.compile(r"is (?P<length>\d+) characters long; Telegram allows at most (?P<limit>\d+)"),
    ),
    ("repeats", re.compile(r"option (?P<option>\d+) repeats option (?P<other>\d+)")),
    ("line_feeds", re.compile(r"has more than (?P<limit>\d+) line breaks")),
    ("empty", re.compile(r"is empty|String should have at least 1 character")),
    ("too_few", re.compile(r"List should have at least (?P<count>\d+) item")),
    ("too_many", re.compile(r"List should have at most (?P<count>\d+) item")),
    (
        "post_too_long",
        re.compile(r"the post would be (?P<length>\d+) characters; keep it under (?P<limit>\d+)"),
    ),
    ("near_duplicate", re.compile(r"near-duplicate of [a-z ]+ (?P<id>\S+) in ")),
    ("all_correct", re.compile(r"every option is correct")),
    ("option_count", re.compile(r"keep (?P<count>\d+) options")),
)


def problem_text(issue: ContentIssue) -> str:
    """One problem of the bank's rules, in Persian, with Persian digits."""
    for key, pattern in _PROBLEMS:
        found = pattern.search(issue.message)
        if found:
            values = {
                name: fa_number(int(value)) if value.isdigit() else value
                for name, value in found.groupdict().items()
            }
            message = texts.AUTHOR_PROBLEMS[key].format(**values)
            break
    else:
        message = texts.AUTHOR_PROBLEMS["other"].format(message=issue.message)
    return texts.AUTHOR_PROBLEM.format(field=_field(issue.field), message=message)


@renders(Invalid)
async def show_invalid(update: Update, context: QuizbotContext, outcome: Invalid) -> None:
    """Every problem, in Persian; nothing was saved."""
    problems = "\n".join(problem_text(issue) for issue in outcome.issues)
    await reply(update, texts.AUTHOR_INVALID.format(problems=problems))


@renders(AuthorExpired)
async def show_expired(update: Update, context: QuizbotContext, outcome: AuthorExpired) -> str:
    """The draft is gone: send the item again."""
    return texts.AUTHOR_EXPIRED


@renders(AuthorAborted)
async def show_aborted(update: Update, context: QuizbotContext, outcome: AuthorAborted) -> str:
    """Cancelled."""
    return texts.AUTHOR_ABORTED


def author_conversation() -> StoredConversation:
    """The conversation that writes an item into the bank."""
    private = filters.ChatType.PRIVATE
    cancel_handlers: list[BaseHandler[Update, QuizbotContext, object]] = [
        ButtonHandler(AuthorCancelButton, unit_of_work(cancel)),
        CommandHandler("cancel", unit_of_work(cancel), filters=private),
    ]
    channel_text = private & filters.TEXT & ~filters.COMMAND & CHANNEL_FORMAT
    return StoredConversation(
        AUTHOR,
        entry_points=[
            MessageHandler(private & filters.POLL, unit_of_work(poll_received)),
            MessageHandler(channel_text, unit_of_work(text_received)),
        ],
        states={
            ANSWER: [ButtonHandler(AnswerButton, unit_of_work(answer_button))],
            TOPIC: [ButtonHandler(TopicButton, unit_of_work(topic_button))],
            DIFFICULTY: [ButtonHandler(LevelButton, unit_of_work(level_button))],
        },
        fallbacks=cancel_handlers,
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """Buttons of a draft that is over say so."""
    return [*expired_buttons(AnswerButton, TopicButton, LevelButton, AuthorCancelButton)]
