"""Typed inline-button payloads: each class has a prefix and fields, parsed strictly.

A feature module declares its buttons as subclasses and registers a CallbackQueryHandler per
class with `Class.pattern()`, so each press reaches exactly the function meant for it and
tampered data matches no pattern (the catch-all handler refuses it politely).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, Self

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import QuizbotContext

# Telegram's limit on callback_data, in bytes.
MAX_CALLBACK_BYTES = 64
# A field left empty (e.g. "the whole bank" instead of one topic).
EMPTY = "*"
_TEXT = r"[a-z0-9_.=,-]{1,48}"
_NUMBER = r"-?\d{1,12}"


class ButtonError(ValueError):
    """A value that cannot go into callback data."""


def _kinds(cls: type) -> list[tuple[str, type, bool]]:
    """(name, int or str, optional) for each field of a button class."""
    hints = typing.get_type_hints(cls)
    kinds = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        optional = False
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            optional, hint = True, members[0]
        if hint not in (int, str):
            raise TypeError(f"{cls.__name__}.{field.name}: buttons carry only str and int")
        kinds.append((field.name, hint, optional))
    return kinds


@dataclasses.dataclass(frozen=True)
class Button:
    """Base of every button payload: `prefix:field:field…`."""

    prefix: ClassVar[str]

    def encode(self) -> str:
        """The callback data; ButtonError when a value does not fit."""
        parts = [self.prefix]
        for name, kind, _optional in _kinds(type(self)):
            value = getattr(self, name)
            text = EMPTY if value is None else str(value)
            if value is not None and not re.fullmatch(_NUMBER if kind is int else _TEXT, text):
                raise ButtonError(f"{type(self).__name__}.{name}={value!r} cannot be sent")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ButtonError(f"{data!r} is longer than {MAX_CALLBACK_BYTES} bytes")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """The regular expression that matches exactly this button's callback data."""
        fields = [
            f"({_NUMBER if kind is int else _TEXT}{'|' + re.escape(EMPTY) if optional else ''})"
            for _name, kind, optional in _kinds(cls)
        ]
        return re.compile("^" + ":".join([re.escape(cls.prefix), *fields]) + "$")

    @classmethod
    def pressed(cls, update: Update) -> Self | None:
        """The button of this class the update's press carries, if it is one."""
        query = update.callback_query
        return None if query is None else cls.decode(query.data)

    @classmethod
    def decode(cls, data: str | None) -> Self | None:
        """The button behind callback data, or None when it is not one of this class."""
        match = cls.pattern().match(data or "")
        if match is None:
            return None
        values: dict[str, Any] = {}
        for (name, kind, _optional), text in zip(_kinds(cls), match.groups(), strict=True):
            values[name] = None if text == EMPTY else kind(text)
        return cls(**values)


class ButtonHandler(CallbackQueryHandler[QuizbotContext, object]):
    """The handler of one button class: it takes exactly the presses whose data match it.

    PTB's CallbackQueryHandler lets a press with empty data through every pattern; here such
    a press matches no button, and reaches the catch-all that refuses it.
    """

    def __init__(
        self,
        button: type[Button],
        callback: Callable[[Update, QuizbotContext], Coroutine[Any, Any, object]],
    ) -> None:
        super().__init__(callback, pattern=button.pattern())
        self.button = button

    def check_update(self, update: object) -> bool | object | None:
        """Only presses with this button's data."""
        query = update.callback_query if isinstance(update, Update) else None
        if query is None or not query.data:
            return None
        return super().check_update(update)
