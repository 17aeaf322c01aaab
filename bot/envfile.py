"""Creating the `.env` file on first set-up, with a fresh secret."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

ENV_TEMPLATE = """\
# quizbot settings. Values here are overridden by real environment variables.
# Token from @BotFather in Telegram (/newbot):
TELEGRAM_BOT_TOKEN=
# Root URL of the Bot API server (Telegram's, or a self-hosted one):
# TELEGRAM_API_URL=https://api.telegram.org
# Default: a SQLite file here. PostgreSQL: postgresql+asyncpg://user:password@host/db
# DATABASE_URL=sqlite+aiosqlite:///quizbot.db
# Telegram user ids allowed to administer channels, comma-separated:
# ADMIN_IDS=
# Chat that receives error reports:
# ADMIN_CHAT_ID=
# TIMEZONE=Asia/Tehran
"""

_KEY_LINE = re.compile(r"^\s*ANSWER_HASH_KEY\s*=\s*(\S{32,})\s*$", re.MULTILINE)


def ensure_env_file(path: Path) -> str:
    """Create `path` or add a generated ANSWER_HASH_KEY to it; return what was done.

    An existing usable key is never replaced: it would detach every learner from their history.
    """
    key_line = (
        f"# Secret for the keyed hash that stands in for user ids. Never change it.\n"
        f"ANSWER_HASH_KEY={secrets.token_hex(32)}\n"
    )
    if not path.exists():
        _write_private(path, ENV_TEMPLATE + key_line)
        return f"created {path} with a new ANSWER_HASH_KEY"
    text = path.read_text(encoding="utf-8")
    if _KEY_LINE.search(text):
        was_open = _make_private(path)
        tightened = "; made readable by its owner only" if was_open else ""
        return f"{path} already has an ANSWER_HASH_KEY; left as it is{tightened}"
    # Comment out an empty or placeholder key rather than leaving two definitions.
    text = re.sub(r"^(\s*ANSWER_HASH_KEY\s*=.*)$", r"# \1", text, flags=re.MULTILINE)
    _write_private(path, text.rstrip("\n") + "\n" + key_line)
    return f"added a new ANSWER_HASH_KEY to {path}"


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only from the first byte, atomically.

    The secrets never sit in a file others may read, not even for a moment, and a crash
    mid-write leaves the old file whole (the new one replaces it in one rename).
    """
    # mkstemp creates the file 0600; the rename keeps that mode.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _make_private(path: Path) -> bool:
    """Take group and other permissions off `path`; whether it had any."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077 == 0:
        return False
    path.chmod(mode & 0o700)
    return True
