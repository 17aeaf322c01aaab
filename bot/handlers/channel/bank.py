"""/needsreview and /bank: the bank browsed and fixed in chat by the channels' admins.

/needsreview lists imported quizzes whose right option is unknown, a button per option;
/bank words (or a topic) lists matching items as buttons; one pressed shows in full, with a
button per field to edit (a reply with the new text: a stored conversation step) and "retire"
for items that live in the database alone. File items say to edit their file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import ItemKind
from bot.handlers.buttons import Button, ButtonError, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.channel.authoring import problem_text
from bot.handlers.conversations import END, Flow, StoredConversation, expired_buttons
from bot.handlers.replies import edit_or_send, quoted, reply
from bot.handlers.work import Step, renders, unit_of_work
from bot.limits import MAX_MESSAGE_LENGTH, first_words, fit
from bot.persian import fa_number
from bot.services.content import curation
from bot.services.content.curation import (
    AnswerSet,
    AskText,
    BadText,
    BankUsage,
    EditDraft,
    Edited,
    EditEnded,
    Field,
    FileItem,
    ItemGone,
    ItemShown,
    RetireAsk,
    Retired,
    ReviewList,
    SearchResults,
)

EDIT = Flow("bank_edit", ttl=timedelta(minutes=30))
TEXT = "text"
# How much of a question a list or a button shows.
LABEL_LENGTH = 60
OPTION_LABEL_LENGTH = 40


@dataclass(frozen=True)
class AnswerButton(Button):
    """This option (1-based) is the right one of the imported quiz."""

    prefix: ClassVar[str] = "ba"
    quiz: str
    option: int


@dataclass(frozen=True)
class ItemButton(Button):
    """Show this bank item in full."""

    prefix: ClassVar[str] = "bi"
    kind: str
    item: str


@dataclass(frozen=True)
class EditButton(Button):
    """Replace a field of an item (a code of curation.Field) with a typed text."""

    prefix: ClassVar[str] = "be"
    kind: str
    item: str
    field: str


@dataclass(frozen=True)
class RetireButton(Button):
    """Retire this item."""

    prefix: ClassVar[str] = "br"
    kind: str
    item: str


@dataclass(frozen=True)
class RetireConfirmButton(Button):
    """Yes, retire this item."""

    prefix: ClassVar[str] = "bc"
    kind: str
    item: str


@dataclass(frozen=True)
class EditAbortButton(Button):
    """Leave the edit."""

    prefix: ClassVar[str] = "bx"


def _kind(value: str) -> ItemKind | None:
    return ItemKind(value) if value in {kind.value for kind in ItemKind} else None


async def needsreview_command(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/needsreview: imported quizzes whose right option is unknown."""
    return await curation.review_list(session, admin_of(update, context))


async def answer_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """An option of an imported quiz is the right one."""
    button = AnswerButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return await curation.choose_answer(session, admin, button.quiz, button.option)


async def bank_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/bank words or topic."""
    return await curation.search(session, admin_of(update, context), list(context.args or []))


async def item_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A search result: the item in full."""
    button = ItemButton.pressed(update)
    kind = None if button is None else _kind(button.kind)
    if button is None or kind is None:
        return ItemGone()
    return await curation.show_item(session, admin_of(update, context), kind, button.item)


async def retire_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Retire the item? A confirmation first."""
    button = RetireButton.pressed(update)
    kind = None if button is None else _kind(button.kind)
    if button is None or kind is None:
        return ItemGone()
    return await curation.ask_retire(session, admin_of(update, context), kind, button.item)


async def retire_confirm_button(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """Retire the item."""
    button = RetireConfirmButton.pressed(update)
    kind = None if button is None else _kind(button.kind)
    if button is None or kind is None:
        return ItemGone()
    admin = admin_of(update, context)
    return await curation.retire(session, admin, kind, button.item, context.runtime.now())


async def edit_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Start replacing a field: the next text message is its new text."""
    button = EditButton.pressed(update)
    kind = None if button is None else _kind(button.kind)
    if button is None or kind is None:
        return Step(EDIT, ItemGone(), END)
    admin = admin_of(update, context)
    outcome = await curation.begin_edit(session, admin, kind, button.item, button.field)
    if isinstance(outcome, AskText):
        return Step(EDIT, outcome, TEXT, outcome.draft.data())
    return Step(EDIT, outcome, END)


async def edit_typed(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The field's new text."""
    message = update.effective_message
    typed = message.text if message is not None and message.text else ""
    draft = EditDraft.of(context.drafts.get(EDIT.name, {}))
    admin = admin_of(update, context)
    outcome = await curation.apply_edit(session, admin, draft, typed, context.runtime.now())
    if isinstance(outcome, BadText):
        return Step(EDIT, outcome, TEXT, outcome.draft.data())  # the step waits for another
    return Step(EDIT, outcome, END)


async def edit_cancel(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The abort button or /cancel while editing."""
    return Step(EDIT, EditEnded(), END)


# --- rendering ----------------------------------------------------------------------------


def _numbered(number: int, text: str, mark: str = "") -> str:
    return texts.BANK_OPTION.format(number=fa_number(number), text=text, mark=mark)


def _answer_rows(quiz_id: str, options: Sequence[str]) -> list[list[InlineKeyboardButton]]:
    """A button per option of an imported quiz: "this one is right"."""
    return [
        [
            InlineKeyboardButton(
                texts.BANK_REVIEW_OPTION.format(
                    number=fa_number(number), text=first_words(text, OPTION_LABEL_LENGTH)
                ),
                callback_data=AnswerButton(quiz_id, number).encode(),
            )
        ]
        for number, text in enumerate(options, 1)
    ]


@renders(ReviewList)
async def show_review_list(update: Update, context: QuizbotContext, outcome: ReviewList) -> None:
    """A header, then each quiz with a button per option."""
    if not outcome.quizzes:
        await reply(update, texts.BANK_REVIEW_EMPTY)
        return
    await reply(update, texts.BANK_REVIEW_HEADER.format(total=fa_number(outcome.total)))
    for quiz in outcome.quizzes:
        options = "\n".join(_numbered(n, text) for n, text in enumerate(quiz.options, 1))
        try:
            rows = _answer_rows(quiz.id, quiz.options)
        except ButtonError:
            rows = []  # an id no button can carry: `quizbot content set-answer` names it
        text = texts.BANK_REVIEW_QUIZ.format(question=quiz.question, options=options)
        await reply(update, fit(text, MAX_MESSAGE_LENGTH), reply_markup=InlineKeyboardMarkup(rows))
    rest = outcome.total - len(outcome.quizzes)
    if rest > 0:
        await reply(update, texts.BANK_REVIEW_MORE.format(rest=fa_number(rest)))


@renders(AnswerSet)
async def show_answer_set(update: Update, context: QuizbotContext, outcome: AnswerSet) -> None:
    """The quiz's message now says which option is right, without its buttons."""
    text = texts.BANK_REVIEW_ANSWER_SET.format(
        option=first_words(outcome.option, OPTION_LABEL_LENGTH),
        question=first_words(outcome.question, LABEL_LENGTH * 2),
    )
    await edit_or_send(update, text)


@renders(ItemGone)
async def show_item_gone(update: Update, context: QuizbotContext, outcome: ItemGone) -> str:
    """Retired, already answered, or never there."""
    return texts.BANK_ITEM_GONE


@renders(BankUsage)
async def show_bank_usage(update: Update, context: QuizbotContext, outcome: BankUsage) -> str:
    """How to write /bank."""
    return texts.BANK_USAGE


@renders(SearchResults)
async def show_results(update: Update, context: QuizbotContext, outcome: SearchResults) -> None:
    """A button per hit, labelled with its kind and first words."""
    words = quoted(outcome.words)
    if not outcome.hits:
        await reply(update, texts.BANK_NOTHING.format(words=words))
        return
    rows = []
    for hit in outcome.hits:
        label = texts.BANK_HIT.format(
            kind=texts.KIND_TITLES[hit.kind.value], label=first_words(hit.label, LABEL_LENGTH)
        )
        if hit.needs_review:
            label = texts.BANK_HIT_NEEDS_REVIEW + label
        try:
            data = ItemButton(hit.kind.value, hit.id).encode()
        except ButtonError:
            continue
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    template = texts.BANK_RESULTS if outcome.total <= len(outcome.hits) else texts.BANK_RESULTS_MORE
    text = template.format(
        total=fa_number(outcome.total), words=words, shown=fa_number(len(outcome.hits))
    )
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


def item_text(item: ItemShown) -> str:
    """The item in full: header, question or title, options with the right one marked,
    explanation; or the answer's bullets; or the lesson's body."""
    lines = [
        texts.BANK_ITEM_HEADER.format(kind=texts.KIND_TITLES[item.kind.value], topic=item.topic),
        "",
        item.text,
    ]
    for number, (option, right) in enumerate(item.options, 1):
        lines.append(_numbered(number, option, texts.BANK_RIGHT_MARK if right else ""))
    if item.explanation:
        lines.append(texts.BANK_EXPLANATION.format(text=item.explanation))
    lines += [f"🔵 {bullet}" for bullet in item.bullets]
    if item.body:
        lines.append(item.body)
    if item.needs_review:
        lines += ["", texts.BANK_NEEDS_REVIEW]
    if not item.editable:
        lines += ["", texts.BANK_FROM_FILE]
    return fit("\n".join(lines), MAX_MESSAGE_LENGTH)


@renders(ItemShown)
async def show_item(update: Update, context: QuizbotContext, outcome: ItemShown) -> None:
    """The item, with edit and retire buttons when it can be changed in chat, and a button
    per option when its right option is unknown."""
    markup = None
    if outcome.editable:
        try:
            options = [text for text, _ in outcome.options]
            rows = _answer_rows(outcome.id, options) if outcome.needs_review else []
            rows.append(
                [
                    InlineKeyboardButton(
                        texts.BANK_EDIT_FIELD.format(field=texts.BANK_FIELDS[field]),
                        callback_data=EditButton(outcome.kind.value, outcome.id, field).encode(),
                    )
                    for field in Field.OF_KIND[outcome.kind]
                ]
            )
            data = RetireButton(outcome.kind.value, outcome.id).encode()
            rows.append([InlineKeyboardButton(texts.BANK_RETIRE, callback_data=data)])
            markup = InlineKeyboardMarkup(rows)
        except ButtonError:
            markup = None
    await reply(update, item_text(outcome), reply_markup=markup)


@renders(AskText)
async def show_ask_text(update: Update, context: QuizbotContext, outcome: AskText) -> None:
    """What to send, with the current text to copy from."""
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BANK_EDIT_ABORT, callback_data=EditAbortButton().encode())]]
    )
    text = texts.BANK_ASK_TEXT.format(
        field=texts.BANK_FIELDS[outcome.draft.field],
        hint=texts.BANK_FIELD_HINTS.get(outcome.draft.field, ""),
        current=outcome.current or texts.BANK_NO_CURRENT,
    )
    await reply(update, text, reply_markup=keyboard)


@renders(BadText)
async def show_bad_text(update: Update, context: QuizbotContext, outcome: BadText) -> None:
    """The bank's rules the edit breaks, in Persian; another text is awaited."""
    problems = "\n".join(problem_text(issue) for issue in outcome.issues)
    text = texts.BANK_BAD_TEXT.format(
        field=texts.BANK_FIELDS[outcome.draft.field], problems=problems
    )
    await reply(update, fit(text, MAX_MESSAGE_LENGTH))


@renders(Edited)
async def show_edited(update: Update, context: QuizbotContext, outcome: Edited) -> None:
    """Saved, as it will appear."""
    await reply(
        update, texts.BANK_EDITED.format(field=texts.BANK_FIELDS[outcome.field], text=outcome.text)
    )


@renders(FileItem)
async def show_file_item(update: Update, context: QuizbotContext, outcome: FileItem) -> str:
    """File items are changed in their file."""
    return texts.BANK_FROM_FILE


@renders(RetireAsk)
async def show_retire_ask(update: Update, context: QuizbotContext, outcome: RetireAsk) -> None:
    """Sure? One button to confirm."""
    data = RetireConfirmButton(outcome.kind.value, outcome.id).encode()
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BANK_RETIRE_CONFIRM, callback_data=data)]]
    )
    label = first_words(outcome.label, LABEL_LENGTH)
    await reply(update, texts.BANK_RETIRE_ASK.format(label=label), reply_markup=keyboard)


@renders(Retired)
async def show_retired(update: Update, context: QuizbotContext, outcome: Retired) -> None:
    """Retired: the confirmation's message says so, without its button."""
    await edit_or_send(
        update, texts.BANK_RETIRED.format(label=first_words(outcome.label, LABEL_LENGTH))
    )


@renders(EditEnded)
async def show_edit_ended(update: Update, context: QuizbotContext, outcome: EditEnded) -> str:
    """Cancelled, or nothing to cancel."""
    return texts.BANK_EDIT_ENDED


def edit_conversation() -> StoredConversation:
    """The edit of a field: the button, then the new text."""
    private = filters.ChatType.PRIVATE
    cancel: list[BaseHandler[Update, QuizbotContext, object]] = [
        ButtonHandler(EditAbortButton, unit_of_work(edit_cancel)),
        CommandHandler("cancel", unit_of_work(edit_cancel), filters=private),
    ]
    return StoredConversation(
        EDIT,
        entry_points=[ButtonHandler(EditButton, unit_of_work(edit_button))],
        states={
            TEXT: [
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, unit_of_work(edit_typed))
            ]
        },
        fallbacks=cancel,
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The answer, item and retire buttons; the edit's abort button once the edit is over."""
    return [
        ButtonHandler(AnswerButton, unit_of_work(answer_button)),
        ButtonHandler(ItemButton, unit_of_work(item_button)),
        ButtonHandler(RetireButton, unit_of_work(retire_button)),
        ButtonHandler(RetireConfirmButton, unit_of_work(retire_confirm_button)),
        *expired_buttons(EditAbortButton),
    ]


COMMANDS = {"needsreview": needsreview_command, "bank": bank_command}
