"""Generated updates through the real handlers: no update may end in a traceback.

The real application runs in process against the fake Bot API (no sockets), on a fresh SQLite
file with the test bank and two channels with their admins. Thousands of generated updates
(`stress/_updates_gen.py`: every registered command and button class, valid and mutated;
poll answers with impossible option ids; edits, groups, channels, membership changes, unknown
users, overlong texts, lone surrogates) go through `Application.process_update` one at a
time, with a scheduler pass now and then as the clock moves on. A traceback is any exception
that reaches the error handler or escapes, and any ERROR log record; each distinct one (type
and top frame) is written with an example update to `--out`. Texts the bot sends must never
show Python's «None» or an unfilled {placeholder}.

    .venv/bin/python stress/updates.py --updates 10000 [--seed N] [--max-seconds 600]
        [--out report.json] [--postgres postgresql://postgres@127.0.0.1:5432/test]

The last line is JSON; the exit status is 1 when any traceback or bad text was found.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.handlers.channel.events import refresh_admins
from bot.services.channel import rights
from stress._updates_common import (
    ADMIN_AB,
    ErrorTrap,
    admin_command_names,
    feed,
    prepared_database,
    print_figures,
    registered_buttons,
    registered_commands,
    stage,
    trapped,
)
from stress._updates_gen import World, generate
from tests.fakebot import Call
from tests.fakebot.core import JSON

# Where the bot's own texts are; "None" or "{name}" there is Python showing through.
TEXT_PARAMETERS = ("text", "question", "explanation", "caption")
BAD_TEXT = re.compile(r"\bNone\b|\{[a-z_]+\}")
SCHEDULER_EVERY = 97  # updates between scheduler passes (the job's ticks)
# Generated membership changes demote admins and remove the bot; Telegram's updates that
# make it admin again come this often, so admin paths stay reachable.
REGISTER_EVERY = 250


def bad_texts(calls: list[Call], update: JSON) -> list[str]:
    """Texts the bot sent that show «None» or an unfilled placeholder it was not sent."""
    typed = json.dumps(update, ensure_ascii=False)
    found = []
    for call in calls:
        shown = [(name, call.params.get(name)) for name in TEXT_PARAMETERS]
        if call.method == "sendPoll":
            shown += [
                ("option", o if isinstance(o, str) else o.get("text"))
                for o in call.params["options"]
            ]
        for name, value in shown:
            if not isinstance(value, str):
                continue
            if any(match not in typed for match in BAD_TEXT.findall(value)):
                found.append(f"{call.method}.{name}: {value[:200]}")
    return found


def kind_of(update: JSON) -> str:
    """The update's kind (its one key besides update_id)."""
    return next(key for key in update if key != "update_id")


async def run(
    url: str, content: Path, count: int, seed: int, max_seconds: float
) -> tuple[JSON, JSON]:
    """Feed `count` generated updates; the figures and the full report."""
    started = time.monotonic()
    kinds: Counter[str] = Counter()
    texts: list[JSON] = []
    refusals: Counter[str] = Counter()
    fed = 0
    async with stage(url, content, both=ADMIN_AB) as scene, trapped() as trap:
        bot = scene.bot
        world = World(
            random.Random(seed),
            bot,
            sorted(registered_commands(bot)),
            sorted(registered_buttons(bot), key=lambda b: b.prefix),
            admin_commands=admin_command_names(bot),
        )
        pending: list[JSON] = []
        while fed < count and time.monotonic() - started < max_seconds:
            if fed % REGISTER_EVERY == 0 and not pending:
                pending = scene.updates()
            update = pending.pop(0) if pending else generate(world)
            calls = await feed(bot, trap, update)
            fed += 1
            kinds[kind_of(update)] += 1
            world.learn(calls)
            refusals.update(call.method for call in calls if call.result is None)
            texts += [{"text": t, "update": update} for t in bad_texts(calls, update)]
            if fed % SCHEDULER_EVERY == 0:
                bot.clock.advance(minutes=world.rng.randint(0, 90))
                await scheduler_pass(trap, world)
        calls_made = len(bot.api.calls)
        paths = [f"/{c}" for c in world.commands] + [b.__name__ for b in world.buttons]
        left_out = [path for path in paths if not world.exercised[path]]
    seconds = round(time.monotonic() - started, 1)
    figures = {
        "updates": fed,
        "tracebacks": trap.total,
        "distinct": len(trap.found),
        "bad_texts": len(texts),
        "seconds": seconds,
        "seed": seed,
        "capped": fed < count,
    }
    report = {
        **figures,
        "kinds": dict(kinds),
        "exercised": dict(world.exercised),
        "left_out": left_out,
        "bot_api_calls": calls_made,
        "bot_api_refusals": dict(refusals),
        "traceback_list": trap.report(),
        "bad_text_list": texts[:50],
    }
    return figures, report


async def scheduler_pass(trap: ErrorTrap, world: World) -> None:
    """The jobs as they run: a scheduler pass, admin lists read again when old, timed tests'
    questions that ran out, the hour's review reminders and (with the clock moved on) the
    group games' tick."""
    bot, api = world.bot, world.bot.api
    since = api.mark()
    try:
        await bot.tick()
        await bot.timed_tests_pass()
        await bot.reminders_pass()
        await bot.games_tick()
        async with bot.runtime.read_sessions() as session:  # what admins_job does
            due = await rights.due_for_check(session, bot.runtime.now())
        for chat_id in due:
            await refresh_admins(bot.app.bot, bot.runtime, chat_id)
    except Exception as error:  # a job's own errors would reach PTB's job error log
        trap.failed(error)
    world.learn(api.calls[since:])


def main() -> int:
    """Parse the arguments, run, print the figures; 1 when anything was found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=None, help="the report (JSON)")
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="quizbot-stress-") as folder,
        prepared_database(Path(folder), args.postgres) as (url, content),
    ):
        figures, report = asyncio.run(run(url, content, args.updates, args.seed, args.max_seconds))
    out = args.out or Path(tempfile.gettempdir()) / f"quizbot-stress-updates-{args.seed}.json"
    out.write_text(json.dumps(report, indent=1, default=repr))
    lines = [
        f"updates: {figures['updates']} in {figures['seconds']} s (seed {args.seed})",
        "by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(report["kinds"].items())),
        f"Bot API calls: {report['bot_api_calls']}; refused by Telegram (handled): "
        + (", ".join(f"{k} {v}" for k, v in sorted(report["bot_api_refusals"].items())) or "none"),
        f"commands and button classes generated: {len(report['exercised'])}, left out: "
        + (", ".join(report["left_out"]) or "none"),
        f"tracebacks: {figures['tracebacks']} ({figures['distinct']} distinct)",
    ]
    lines += [
        f"  {e['count']:>5} × {e['kind']} at {e['where']}: {e['message'][:120]}"
        for e in report["traceback_list"]
    ]
    lines += [f"texts showing None or a placeholder: {figures['bad_texts']}"]
    lines += [f"  {t['text'][:150]}" for t in report["bad_text_list"][:10]]
    lines += [f"report: {out}"]
    print_figures(figures, lines)
    return 1 if figures["tracebacks"] or figures["bad_texts"] else 0


if __name__ == "__main__":
    sys.exit(main())
