"""Creating the `.env` file on first set-up, with a fresh secret."""

from __future__ import annotations

import re
import secrets
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
        path.write_text(ENV_TEMPLATE + key_line, encoding="utf-8")
        path.chmod(0o600)
        return f"created {path} with a new ANSWER_HASH_KEY"
    text = path.read_text(encoding="utf-8")
    if _KEY_LINE.search(text):
        return f"{path} already has an ANSWER_HASH_KEY; left as it is"
    # Comment out an empty or placeholder key rather than leaving two definitions.
    text = re.sub(r"^(\s*ANSWER_HASH_KEY\s*=.*)$", r"# \1", text, flags=re.MULTILINE)
    path.write_text(text.rstrip("\n") + "\n" + key_line, encoding="utf-8")
    return f"added a new ANSWER_HASH_KEY to {path}"
