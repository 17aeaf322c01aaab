"""The `quizbot` command groups, loaded only when one is used.

`quizbot --help` lists them from this table without importing them: each group's module
pulls in SQLAlchemy, pydantic or torch's catalogue, and the help should answer at once.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import typer

# Typer carries its own copy of click; its group classes take that copy's types.
from typer import _click as click
from typer.core import TyperGroup


@dataclass(frozen=True)
class LazyGroup:
    """Where a command group lives and what it is for (its one line of help)."""

    module: str
    attribute: str
    help: str


GROUPS = {
    "db": LazyGroup("bot.cli.db", "db_app", "Database migrations."),
    "content": LazyGroup("bot.cli.content", "content_app", "The content bank under content/."),
    "schedule": LazyGroup("bot.cli.schedule", "schedule_app", "Channel posts: add, list, cancel."),
    "stats": LazyGroup("bot.cli.stats", "stats_app", "Statistics and exports."),
}
# Top-level commands defined in a module of their own (the demos need nn_demos).
COMMANDS = {
    "demo": LazyGroup(
        "bot.cli.demos",
        "demo",
        "`demo list` shows the demos; `demo NAME --set key=value --out FILE.png` runs one.",
    ),
    "worker": LazyGroup(
        "bot.cli.demos", "worker", "Run demos from the Redis queue (REDIS_URL), e.g. on a GPU host."
    ),
}


def group_app(name: str) -> typer.Typer:
    """A command group's Typer app, with its help from the table."""
    return typer.Typer(help=GROUPS[name].help, no_args_is_help=True, rich_markup_mode=None)


class LazyCommands(TyperGroup):
    """A click group that imports a group or command's module when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Own commands and the lazy ones, sorted as click sorts them."""
        return sorted({*super().list_commands(ctx), *GROUPS, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now if it is a lazy one."""
        lazy = GROUPS.get(cmd_name) or COMMANDS.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        target = getattr(importlib.import_module(lazy.module), lazy.attribute)
        command: click.Command
        if isinstance(target, typer.Typer):
            command = typer.main.get_group(target)
        else:
            holder = typer.Typer(rich_markup_mode=None)
            holder.command(name=cmd_name, help=lazy.help)(target)
            command = typer.main.get_command(holder)
        command.name = cmd_name
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, lazy ones described from the table (nothing imported)."""
        rows = []
        for name in self.list_commands(ctx):
            lazy = GROUPS.get(name) or COMMANDS.get(name)
            if lazy is not None:
                rows.append((name, lazy.help))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
