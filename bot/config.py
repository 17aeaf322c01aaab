"""Settings read from the environment and an optional `.env` file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = PROJECT_ROOT / "content"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///quizbot.db"

# Values people paste from examples and templates: treated as "not set".
_PLACEHOLDERS = re.compile(
    r"^(|changeme|change[-_ ]?me|changethis|secret|token|your[-_ ].*|<.*>|x+|\.\.\.|todo|"
    r"123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11)$",
    re.IGNORECASE,
)
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
MIN_HASH_KEY_LENGTH = 32
# Telegram's rule for a webhook's secret_token: 1-256 of these characters.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
# The ports Telegram's own Bot API server posts webhooks to (a local Bot API server takes any).
_TELEGRAM_WEBHOOK_PORTS = {443, 80, 88, 8443}


class SettingsError(Exception):
    """A required setting is missing or unusable; the message says what to set."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    answer_hash_key: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    admin_chat_id: int | None = None
    timezone: str = "Asia/Tehran"
    content_dir: Path = DEFAULT_CONTENT_DIR
    # NN demos: where they train, how long and how many at once, how often per learner.
    redis_url: str | None = None
    demo_device: str = "auto"
    demo_timeout_seconds: float = 60.0
    demo_concurrency: int = 1
    demo_cooldown_seconds: float = 30.0
    # At start, in the background: the local worker started and each demo's default result
    # computed into the cache. Off for test bots, which should not pay for it on every start.
    demo_warmup: bool = True
    # How often the scheduler looks for due channel posts (CLI changes show up this fast).
    scheduler_interval_seconds: float = 5.0
    # How often timed tests' questions that ran out are looked for (the next one follows).
    timed_test_interval_seconds: float = 2.0
    # How often the day's review reminders are looked for (each learner's hour, once a day).
    reminder_interval_seconds: float = 60.0
    # `quizbot run --webhook`: Telegram posts updates to WEBHOOK_URL (the proxy's public
    # address), which forwards them to WEBHOOK_HOST:WEBHOOK_PORT of each bot process.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    # Telegram's concurrent connections to the webhook (1-100; 40 is Telegram's default).
    webhook_max_connections: int = 40
    # /healthz and /metrics in polling mode: off unless OPS_PORT is set (in webhook mode they
    # are served on the webhook's port).
    ops_host: str = "127.0.0.1"
    ops_port: int | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        # "1,2 3" in an env file is friendlier than the JSON list pydantic expects.
        if isinstance(value, str):
            return frozenset(int(part) for part in re.split(r"[,\s]+", value.strip()) if part)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @cached_property
    def tz(self) -> ZoneInfo:
        """The configured display time zone."""
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        """Return the bot token, or raise SettingsError saying how to get one."""
        token = _secret(self.telegram_bot_token)
        if token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
                "(/newbot) and put TELEGRAM_BOT_TOKEN=<token> in .env or the environment."
            )
        if not _TOKEN_SHAPE.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters); copy the "
                "token @BotFather gave you into .env."
            )
        return token

    def require_hash_key(self) -> bytes:
        """Return the answer-hash key, or raise SettingsError saying how to make one."""
        key = _secret(self.answer_hash_key)
        if key is None or len(key) < MIN_HASH_KEY_LENGTH:
            raise SettingsError(
                "ANSWER_HASH_KEY is not set or shorter than 32 characters: run `quizbot setup` "
                'or put ANSWER_HASH_KEY=$(python -c "import secrets; print(secrets.token_hex(32))")'
                " in .env. Keep it: changing it detaches every learner from their history."
            )
        return key.encode()

    def require_webhook(self) -> Webhook:
        """The webhook's settings, or raise SettingsError saying what to set."""
        url = (self.webhook_url or "").strip()
        if not url or _PLACEHOLDERS.match(url):
            raise SettingsError(
                "WEBHOOK_URL is not set: put the public https:// address the proxy serves "
                "(e.g. WEBHOOK_URL=https://bot.example.org/telegram) in .env."
            )
        parts = urlsplit(url)
        official = self.telegram_api_url == DEFAULT_TELEGRAM_API_URL
        schemes = {"https"} if official else {"https", "http"}
        if parts.scheme not in schemes or not parts.hostname:
            raise SettingsError(
                f"WEBHOOK_URL must be an https:// address Telegram can reach, not {url!r} "
                "(plain http:// only with a local Bot API server in TELEGRAM_API_URL)."
            )
        try:
            port = parts.port
        except ValueError:
            port = -1
        if official and port is not None and port not in _TELEGRAM_WEBHOOK_PORTS:
            raise SettingsError(
                f"WEBHOOK_URL's port {parts.port} is not one Telegram posts to: use 443, 80, "
                "88 or 8443 (the proxy then forwards to WEBHOOK_PORT)."
            )
        secret = _secret(self.webhook_secret)
        if secret is None or not _WEBHOOK_SECRET.match(secret):
            raise SettingsError(
                "WEBHOOK_SECRET is not set or not 16-256 letters, digits, _ or -: put "
                'WEBHOOK_SECRET=$(python -c "import secrets; print(secrets.token_urlsafe(32))")'
                " in .env (every bot process behind the proxy needs the same one)."
            )
        if not 1 <= self.webhook_max_connections <= 100:
            raise SettingsError("WEBHOOK_MAX_CONNECTIONS must be between 1 and 100.")
        if not 0 < self.webhook_port < 65536:
            raise SettingsError("WEBHOOK_PORT must be a TCP port (1-65535).")
        return Webhook(
            url=url,
            path=parts.path or "/",
            secret=secret,
            host=self.webhook_host,
            port=self.webhook_port,
            max_connections=self.webhook_max_connections,
        )


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates and where this process listens for them."""

    url: str  # the public address given to setWebhook
    path: str  # the path the proxy forwards (the URL's own path)
    secret: str  # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token
    host: str
    port: int
    max_connections: int


def _secret(value: SecretStr | None) -> str | None:
    """The secret's text, or None when it is empty or a placeholder."""
    if value is None:
        return None
    text = value.get_secret_value().strip()
    return None if _PLACEHOLDERS.match(text) else text


def load_settings() -> Settings:
    """Read settings from the environment and `.env` in the working directory."""
    return Settings()
