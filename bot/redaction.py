"""Keeping secrets out of logs: every record a handler writes has them replaced.

The bot token is the bot: whoever reads it can act as the bot. It travels in every Bot API URL
(httpx logs those), and PTB puts it into the message of `InvalidToken`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "<secret>"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message and traceback with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]
        self._formatter = logging.Formatter()

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def redact_logs(*secrets: str) -> None:
    """Mask `secrets` in everything the root logger's handlers write."""
    redacting = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redacting)
