"""The keyed hash that stands in for a Telegram user id wherever people's data is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def learner_hash(key: bytes, user_id: int | str) -> str:
    """HMAC-SHA256 of the user id (or another identifier) under the secret key, as hex.

    Keyed, so that the ids cannot be recovered by hashing every possible id without the key.
    """
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


class ChatSealer:
    """Encrypts the chat ids the bot must keep to write to someone; nothing else can read them.

    A keyed hash cannot be turned back into an id, so where a message must reach a person
    later (a channel admin's notices) the id is kept sealed: Fernet (AES-128-CBC with an
    HMAC-SHA256 tag) under a key derived from ANSWER_HASH_KEY, so no second secret to manage.
    """

    def __init__(self, key: bytes) -> None:
        derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"quizbot chat ids")
        self._fernet = Fernet(base64.urlsafe_b64encode(derived.derive(key)))

    def seal(self, chat_id: int) -> str:
        """The chat id, encrypted and authenticated, as text."""
        return self._fernet.encrypt(str(chat_id).encode()).decode()

    def unseal(self, sealed: str) -> int | None:
        """The chat id back; None when the text was not sealed with this key."""
        try:
            return int(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            return None
