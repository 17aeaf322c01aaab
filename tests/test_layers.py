"""The layers keep their promises: below the handlers nothing reaches telegram, even through
another module, and nn_demos depends on no bot code."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Everything a service may stand on: none of it may import the Bot API library.
BELOW_THE_HANDLERS = ["bot.services", "bot.channel_engine", "bot.bank", "bot.db", "bot.limits"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules_under(package: str) -> list[str]:
    path = ROOT / package.replace(".", "/")
    if path.with_suffix(".py").exists():
        return [package]
    return sorted(
        ".".join(file.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for file in path.rglob("*.py")
    )


def first_to_bring_telegram(modules: list[str], cwd: Path = ROOT) -> str | None:
    """Import each module in a fresh interpreter; the first after which telegram is loaded.

    A fresh interpreter catches indirect imports too (a service importing a bank module that
    imports telegram).
    """
    code = "\n".join(
        [
            "import importlib, sys",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            "    if any(m.split('.')[0] == 'telegram' for m in sys.modules):",
            "        print(name)",
            "        break",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip() or None


def test_nothing_below_the_handlers_reaches_telegram() -> None:
    modules = [module for package in BELOW_THE_HANDLERS for module in modules_under(package)]
    assert len(modules) > 40  # every service, engine, bank and db module is imported
    assert first_to_bring_telegram(modules) is None


def test_the_check_catches_an_indirect_import(tmp_path: Path) -> None:
    (tmp_path / "leaky.py").write_text("import telegram.constants\n", encoding="utf-8")
    (tmp_path / "service.py").write_text("import leaky\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("import json\n", encoding="utf-8")
    assert first_to_bring_telegram(["clean", "service"], cwd=tmp_path) == "service"


def test_nn_demos_depends_on_no_bot_code() -> None:
    for path in (ROOT / "nn_demos").rglob("*.py"):
        assert not any(m.split(".")[0] == "bot" for m in imported_modules(path)), path
