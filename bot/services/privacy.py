"""The keyed hash that stands in for a Telegram user id wherever learners' data is stored."""

from __future__ import annotations

import hashlib
import hmac


def learner_hash(key: bytes, user_id: int | str) -> str:
    """HMAC-SHA256 of the user id (or another identifier) under the secret key, as hex.

    Keyed, so that the ids cannot be recovered by hashing every possible id without the key.
    """
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()
