"""The deployment files in deploy/ name only what exists, so they cannot rot unnoticed.

Every `quizbot …` they run is a real command with real options, every variable they set is a
setting of bot/config.py (or one of the few the process itself reads), the systemd units keep
their hardening and pass `systemd-analyze verify` (where it is installed), the proxy forwards
the webhook's own path, and the bot's image installs no torch. No container runs here (no
container engine on the test machines): this is what can be checked without one.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from typer import _click as click
from typer.main import get_command

from bot.cli.main import app
from bot.config import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SETTINGS = {name.upper() for name in Settings.model_fields}
# Read by Python, matplotlib or the shell rather than by quizbot's settings.
PROCESS_VARIABLES = {"HOME", "MPLCONFIGDIR", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
# Added by the webhook work of issue 14 (branch `webhook`); tolerated only until it is merged.
WEBHOOK_MERGED = "webhook_url" in Settings.model_fields
NOT_YET = (
    set()
    if WEBHOOK_MERGED
    else {"--webhook", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT", "OPS_PORT"}
)
HARDENING = {
    "DynamicUser=yes",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "StateDirectory=quizbot",
    "WorkingDirectory=/var/lib/quizbot",
    "CapabilityBoundingSet=",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "SystemCallFilter=@system-service",
    "UMask=0077",
}


def unknown_in_command(argv: list[str]) -> list[str]:
    """The words of `quizbot …` that name no command, option or argument of the real CLI."""
    assert argv[0].rsplit("/", 1)[-1] == "quizbot", argv
    command = get_command(app)
    context = click.Context(command)
    unknown = []
    for word in argv[1:]:
        if word.startswith("-"):
            options = {opt for param in command.params for opt in param.opts}
            if word.split("=", 1)[0] not in options:
                unknown.append(word)
        elif _is_group(command):
            found = command.get_command(context, word)
            if found is None:
                return [*unknown, word]
            command, context = found, click.Context(found, parent=context)
        elif not any(param.param_type_name == "argument" for param in command.params):
            unknown.append(word)
    if _is_group(command):
        unknown.append(f"{argv[-1]} (a group, not a command)")
    return [word for word in unknown if word not in NOT_YET]


def _is_group(command: object) -> bool:
    # Typer's own copy of click has no Group class to test against; groups list commands.
    return hasattr(command, "list_commands")


def unknown_variables(names: set[str]) -> set[str]:
    """The names that are neither settings nor variables the process reads itself."""
    return names - SETTINGS - PROCESS_VARIABLES - NOT_YET


def unit_lines(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for each setting of a systemd unit, in order."""
    lines, section = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        lines.append((section, key.strip(), value.strip()))
    return lines


def env_file_names(path: Path) -> dict[str, str]:
    """The variables an environment file sets (commented lines are not set)."""
    names = {}
    for raw in path.read_text().splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            name, _, value = raw.partition("=")
            names[name.strip()] = value.strip()
    return names


def example_of(env_file: str) -> Path:
    """The example in deploy/ of an environment file a unit or compose reads."""
    return DEPLOY / f"{Path(env_file).name}.example"


def test_the_systemd_units_run_real_commands_with_real_settings() -> None:
    assert {path.name for path in UNITS} == {
        "quizbot-migrate.service",
        "quizbot-polling.service",
        "quizbot-webhook@.service",
        "quizbot-worker.service",
    }
    for path in UNITS:
        lines = unit_lines(path)
        service = {f"{key}={value}" for section, key, value in lines if section == "Service"}
        assert service >= HARDENING, (path.name, HARDENING - service)
        if "Type=oneshot" not in service:
            assert "Restart=on-failure" in service, path.name
        for _, key, value in lines:
            if key.startswith("Exec"):
                assert unknown_in_command(value.split()) == [], (path.name, value)
            elif key == "Environment":
                names = {word.split("=", 1)[0] for word in value.split()}
                assert unknown_variables(names) == set(), (path.name, value)
            elif key == "EnvironmentFile":
                example = example_of(value)
                assert example.is_file(), (path.name, value)
                assert unknown_variables(set(env_file_names(example))) == set(), example.name
    migrate = [
        v for _, k, v in unit_lines(DEPLOY / "systemd/quizbot-migrate.service") if k == "ExecStart"
    ]
    assert any(" db upgrade" in command for command in migrate)
    for bot in ("quizbot-polling.service", "quizbot-webhook@.service"):
        after = {
            v for _, k, v in unit_lines(DEPLOY / "systemd" / bot) if k in {"Requires", "After"}
        }
        assert "quizbot-migrate.service" in after, bot
    # The worker host needs the GPU's device nodes; the bot hosts hide every device.
    worker = {f"{k}={v}" for _, k, v in unit_lines(DEPLOY / "systemd/quizbot-worker.service")}
    assert "PrivateDevices=yes" not in worker


def test_each_webhook_process_takes_its_port_from_its_instance() -> None:
    # EnvironmentFile= overrides Environment=: a WEBHOOK_PORT there would put every instance
    # on one port.
    assert "WEBHOOK_PORT" not in env_file_names(DEPLOY / "quizbot.env.example")
    lines = unit_lines(DEPLOY / "systemd/quizbot-webhook@.service")
    assert ("Service", "Environment", "WEBHOOK_PORT=%i") in lines


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_units_without_a_word(tmp_path: Path) -> None:
    quizbot = str(Path(sys.executable).parent / "quizbot")  # the venv's, installed with us
    for path in UNITS:
        text = path.read_text().replace("/opt/quizbot/.venv/bin/quizbot", quizbot)
        text = text.replace("/etc/quizbot/", f"{tmp_path}/")
        name = path.name.replace("@.service", "@8081.service")
        (tmp_path / name).write_text(text)
    for example in DEPLOY.glob("*.env.example"):
        (tmp_path / example.name.removesuffix(".example")).write_text(example.read_text())
    units = sorted(str(unit) for unit in tmp_path.glob("*.service"))
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys and bad values are only warned about: any word at all is a mistake.
    assert result.stderr.strip() == "", result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_compose_runs_real_commands_with_real_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"migrate", "bot", "worker", "postgres", "redis", "proxy"} <= set(services)
    stages = set(re.findall(r"^FROM \S+ AS (\w+)$", (DEPLOY / "Containerfile").read_text(), re.M))
    ours = {name: service for name, service in services.items() if "build" in service}
    assert set(ours) == {"migrate", "bot", "worker"}
    for name, service in ours.items():
        assert service["build"]["target"] in stages, name
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert unknown_in_command(service["command"]) == [], (name, service["command"])
        assert unknown_variables(set(service.get("environment", {}))) == set(), name
        if "env_file" in service:
            example = example_of(service["env_file"])
            assert unknown_variables(set(env_file_names(example))) == set(), example.name
    assert services["worker"]["build"]["target"] == "worker"
    assert "env_file" not in services["worker"]  # the worker gets no token and no keys
    assert services["bot"]["command"][:3] == ["quizbot", "run", "--webhook"]
    assert services["bot"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_the_proxy_forwards_the_webhooks_own_path_and_nothing_else() -> None:
    url = env_file_names(DEPLOY / "quizbot.env.example")["WEBHOOK_URL"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert re.findall(r"^\s*handle (/\S*) \{", caddyfile, re.M) == [urlsplit(url).path]
    assert "respond 404" in caddyfile


def test_the_bot_image_has_no_torch_and_neither_image_runs_as_root() -> None:
    stages = re.split(r"^FROM ", (DEPLOY / "Containerfile").read_text(), flags=re.M)[1:]
    by_name = {stage.split()[2]: stage for stage in stages}
    assert set(by_name) == {"bot", "worker"}
    assert stages[0].startswith("python:3.11-slim AS bot")
    assert "[demos]" not in by_name["bot"]
    assert "torch" not in by_name["bot"].lower()
    assert "[demos]" in by_name["worker"]
    for name, stage in by_name.items():
        users = re.findall(r"^USER (\S+)$", stage, re.M)
        assert users, name
        assert users[-1] != "root", name
        (cmd,) = re.findall(r"^CMD (\[.*\])$", stage, re.M)
        assert unknown_in_command(yaml.safe_load(cmd)) == [], (name, cmd)
        for source in re.findall(r"^COPY (.+) \S+$", stage, re.M):
            for part in source.split():
                assert (PROJECT_ROOT / part).exists(), (name, part)
