"""The bot process never imports torch: demos run in worker processes."""

import subprocess
import sys


def test_bot_and_cli_import_without_torch() -> None:
    code = (
        "import sys\n"
        "import bot.app, bot.cli.main, bot.handlers.demos, bot.demos_runner.local\n"
        "import bot.demos_runner.redis_queue\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'nn_demos' not in sys.modules, 'nn_demos was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
