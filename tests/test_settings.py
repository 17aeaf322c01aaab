import asyncio
import os
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError
from bot.db import migrate
from bot.db.engine import create_engine
from bot.envfile import ensure_env_file
from bot.services.privacy import learner_hash

REAL_LOOKING_TOKEN = "123456789:AAE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg"


def make(**values: object) -> Settings:
    # _env_file=None: a developer's own .env must not leak into the test.
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "changeme",
        "<your token>",
        "your-token-here",
        "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    ],
)
def test_missing_or_placeholder_token_is_refused_with_how_to_get_one(token: str | None) -> None:
    with pytest.raises(SettingsError, match=r"TELEGRAM_BOT_TOKEN.*@BotFather"):
        make(telegram_bot_token=token).require_token()


def test_malformed_token_is_refused() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN does not look like"):
        make(telegram_bot_token="not a token").require_token()


def test_real_looking_token_is_accepted() -> None:
    assert make(telegram_bot_token=REAL_LOOKING_TOKEN).require_token() == REAL_LOOKING_TOKEN


@pytest.mark.parametrize("key", [None, "", "changeme", "short-key"])
def test_missing_placeholder_or_short_hash_key_is_refused(key: str | None) -> None:
    with pytest.raises(SettingsError, match="ANSWER_HASH_KEY"):
        make(answer_hash_key=key).require_hash_key()


GOOD_SECRET = "Zq3-webhook_secret-0123456789"


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({}, r"WEBHOOK_URL is not set"),
        ({"webhook_url": "changeme"}, r"WEBHOOK_URL is not set"),
        ({"webhook_url": "http://bot.example.org/hook"}, r"must be an https:// address"),
        ({"webhook_url": "https://bot.example.org:8080/hook"}, r"port 8080 is not one"),
        ({"webhook_url": "https://bot.example.org/hook"}, r"WEBHOOK_SECRET is not set"),
        (
            {"webhook_url": "https://bot.example.org/hook", "webhook_secret": "short"},
            r"16-256 letters",
        ),
        (
            {"webhook_url": "https://bot.example.org/hook", "webhook_secret": "a b" * 10},
            r"16-256 letters",
        ),
        (
            {
                "webhook_url": "https://bot.example.org/hook",
                "webhook_secret": GOOD_SECRET,
                "webhook_max_connections": 500,
            },
            r"WEBHOOK_MAX_CONNECTIONS",
        ),
    ],
)
def test_webhook_settings_that_telegram_would_refuse_say_what_to_set(
    values: dict[str, object], said: str
) -> None:
    with pytest.raises(SettingsError, match=said):
        make(**values).require_webhook()


def test_webhook_settings_name_the_path_the_proxy_forwards() -> None:
    webhook = make(
        webhook_url="https://bot.example.org/telegram/hook", webhook_secret=GOOD_SECRET
    ).require_webhook()
    assert (webhook.path, webhook.host, webhook.port) == ("/telegram/hook", "127.0.0.1", 8080)
    # A local Bot API server (not api.telegram.org) may post to plain http on any port.
    local = make(
        telegram_api_url="http://127.0.0.1:8081",
        webhook_url="http://10.0.0.5:9000",
        webhook_secret=GOOD_SECRET,
    ).require_webhook()
    assert local.path == "/"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("ADMIN_IDS", "11, 22 33")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@h/db")
    settings = make()
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.admin_ids == {11, 22, 33}
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_defaults_are_tehran_and_a_local_sqlite_file() -> None:
    settings = make()
    assert settings.timezone == "Asia/Tehran"
    assert str(settings.tz) == "Asia/Tehran"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.telegram_api_url == "https://api.telegram.org"


def test_unknown_timezone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        make(timezone="Mars/Olympus")


def test_setup_creates_env_with_a_fresh_key_and_keeps_it(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    assert "created" in ensure_env_file(env)
    first = env.read_text()
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert len(settings.require_hash_key()) == 64
    assert "already has" in ensure_env_file(env)
    assert env.read_text() == first  # the key survives a second set-up


def test_setup_adds_a_key_to_an_env_without_one(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"TELEGRAM_BOT_TOKEN={REAL_LOOKING_TOKEN}\nANSWER_HASH_KEY=changeme\n")
    assert "added" in ensure_env_file(env)
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.require_token() == REAL_LOOKING_TOKEN
    assert len(settings.require_hash_key()) == 64


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_setup_leaves_the_env_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    created = tmp_path / "new" / ".env"
    created.parent.mkdir()
    ensure_env_file(created)
    assert mode(created) == 0o600
    assert [p.name for p in created.parent.iterdir()] == [".env"]  # no temporary left behind
    keyless = tmp_path / "keyless.env"
    keyless.write_text(f"TELEGRAM_BOT_TOKEN={REAL_LOOKING_TOKEN}\n")
    keyless.chmod(0o644)
    ensure_env_file(keyless)
    assert mode(keyless) == 0o600
    assert REAL_LOOKING_TOKEN in keyless.read_text()  # what was there is kept
    keyed = tmp_path / "keyed.env"
    keyed.write_text(created.read_text())
    keyed.chmod(0o644)
    assert "readable by its owner only" in ensure_env_file(keyed)
    assert mode(keyed) == 0o600
    assert keyed.read_text() == created.read_text()


async def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:  # WAL mode: the -wal and -shm files appear
            await connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        names = ["bot.db", "bot.db-shm", "bot.db-wal"]
        assert sorted(os.listdir(tmp_path)) == names
        assert {os.stat(tmp_path / name).st_mode & 0o777 for name in names} == {0o600}
    finally:
        await engine.dispose()


def test_learner_hash_is_keyed_and_hides_the_id() -> None:
    first = learner_hash(b"k" * 32, 123456789)
    assert first == learner_hash(b"k" * 32, 123456789)
    assert first != learner_hash(b"j" * 32, 123456789)
    assert "123456789" not in first
    assert len(first) == 64
