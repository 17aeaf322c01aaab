"""The bot process never imports torch: demos run in worker processes.

It may read the torch-free demo catalogue (names, parameters, validation), and nothing more
of nn_demos.
"""

import subprocess
import sys

# What importing the catalogue brings along: the package's cheap __init__ and its base types.
CATALOGUE_MODULES = {"nn_demos", "nn_demos.base", "nn_demos.catalogue"}
HEAVY = ("torch", "numpy", "matplotlib")


def test_bot_and_cli_import_without_torch() -> None:
    code = (
        "import sys\n"
        "import bot.app, bot.cli.main, bot.handlers.demos, bot.demos_runner.local\n"
        "import bot.demos_runner.redis_queue, bot.bank.lint, bot.services.learning.demos\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "loaded = {m for m in sys.modules if m.split('.')[0] == 'nn_demos'}\n"
        f"assert loaded <= {CATALOGUE_MODULES!r}, loaded - {CATALOGUE_MODULES!r}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_catalogue_imports_without_torch_numpy_or_matplotlib() -> None:
    code = (
        "import sys\n"
        "import nn_demos, nn_demos.catalogue\n"
        "assert nn_demos.CATALOGUE['letters'].params\n"
        "nn_demos.catalogue.resolve('letters', {'hidden': '8'})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_quizbot_help_imports_no_command_group() -> None:
    # `quizbot --help` answers from bot/cli/groups.py's table: no database, settings or bank
    # code is imported for it (bench/startup.py measures what that saves).
    code = (
        "import sys\n"
        "from bot.cli.main import app\n"
        "try:\n"
        "    app(['--help'], prog_name='quizbot')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'pydantic', 'rich', 'telegram', 'nn_demos',\n"
        "    'bot.config', 'bot.cli.content') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    for group in ("content", "db", "schedule", "stats", "demo", "worker", "run", "setup"):
        assert f"\n  {group} " in done.stdout, group


def test_a_host_without_torch_runs_the_bot_with_demos_off() -> None:
    # `pip install quizbot` without the [demos] extra: torch cannot be imported.
    code = (
        "import sys\n"
        "sys.modules['torch'] = None  # what an install without torch looks like to import\n"
        "from bot.app import demo_runner\n"
        "from bot.config import Settings\n"
        "settings = Settings(_env_file=None, database_url='sqlite+aiosqlite:///:memory:')\n"
        "assert demo_runner(settings) is None\n"
        "queued = Settings(_env_file=None, database_url='sqlite+aiosqlite:///:memory:',\n"
        "    redis_url='redis://127.0.0.1:6379/0')\n"
        "assert type(demo_runner(queued)).__name__ == 'QueueRunner'  # workers have torch\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
