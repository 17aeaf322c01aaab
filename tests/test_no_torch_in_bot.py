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
