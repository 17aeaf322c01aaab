"""Telegram's limits, taken once from telegram.constants so nothing else retypes them."""

from __future__ import annotations

from telegram.constants import MessageLimit, PollLimit

MAX_QUESTION_LENGTH = int(PollLimit.MAX_QUESTION_LENGTH)
MAX_OPTION_LENGTH = int(PollLimit.MAX_OPTION_LENGTH)
MAX_OPTIONS = int(PollLimit.MAX_OPTION_NUMBER)
MAX_EXPLANATION_LENGTH = int(PollLimit.MAX_EXPLANATION_LENGTH)
MAX_EXPLANATION_LINE_FEEDS = int(PollLimit.MAX_EXPLANATION_LINE_FEEDS)
MAX_MESSAGE_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION_LENGTH = int(MessageLimit.CAPTION_LENGTH)
