"""The bot's Prometheus metrics, in one registry served at /metrics (see bot/ops_server.py).

Names follow Prometheus conventions: counters end in `_total`, durations are in seconds.
Label values are fixed small sets (never a chat, a learner or a text), so a series per label
stays cheap and nothing personal leaves the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# The `_created` timestamp series would double every counter's lines in /metrics; Prometheus
# itself does not need them (a counter's reset shows as a drop).
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in the library

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "quizbot_updates_total",
    "Updates received from Telegram, by kind (message, callback_query, poll_answer, ...).",
    ["kind"],
    registry=REGISTRY,
)
UPDATE_FAILURES = Counter(
    "quizbot_update_failures_total",
    "Updates whose handling raised (reported to the error handler).",
    registry=REGISTRY,
)
ANSWERS = Counter(
    "quizbot_answers_total",
    "Learners' poll answers by what became of them: recorded, game (a group game's), "
    "duplicate (delivered again), retracted, late (a timed question's, after its time), "
    "ignored (no quiz of theirs, or options it lacks).",
    ["kind"],
    registry=REGISTRY,
)
POSTS = Counter(
    "quizbot_posts_total",
    "Channel posts by outcome: sent, failed (reported to admins), uncertain (may have gone) "
    "or missed (due while the bot was down, past the grace window).",
    ["outcome"],
    registry=REGISTRY,
)
SEND_SECONDS = Histogram(
    "quizbot_send_seconds",
    "Time from asking to send a message to Telegram's reply, pacing waits included.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "quizbot_queue_depth",
    "Updates in hand in this process: received and not yet done (replies included).",
    registry=REGISTRY,
)
DEMO_JOBS = Counter(
    "quizbot_demo_jobs_total",
    "NN demo requests by outcome: done, failed, timeout, interrupted, cached (no run), "
    "unavailable (no worker).",
    ["outcome"],
    registry=REGISTRY,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST

# The label values, fixed here so a typo is a type error rather than a new series.
UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
)
AnswerKind = Literal["recorded", "game", "duplicate", "retracted", "late", "ignored"]
PostOutcome = Literal["sent", "failed", "uncertain", "missed"]
DemoOutcome = Literal["done", "failed", "timeout", "interrupted", "cached", "unavailable"]

# Every series exists from the start at 0: a rate over a series that appears only with its
# first event would miss that event, and a dashboard would show "no data" for "none".
for _kind in (*UPDATE_KINDS, "other"):
    UPDATES.labels(_kind)
for _answer in get_args(AnswerKind):
    ANSWERS.labels(_answer)
for _outcome in get_args(PostOutcome):
    POSTS.labels(_outcome)
for _outcome in get_args(DemoOutcome):
    DEMO_JOBS.labels(_outcome)


_KNOWN_KINDS = frozenset(UPDATE_KINDS)


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)


def update_kind(update: object) -> str:
    """An update's kind (the field that carries it), from PTB's Update or Telegram's JSON."""
    if isinstance(update, Mapping):
        # Telegram's JSON holds its id and the one field of its kind (every update counts:
        # this must not look up each kind in turn).
        for key, value in update.items():
            if key != "update_id" and value is not None:
                return key if key in _KNOWN_KINDS else "other"
        return "other"
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def count_update(update: object) -> None:
    """Count one update received (once, where it enters: the poller or the webhook)."""
    UPDATES.labels(update_kind(update)).inc()


def count_update_failure() -> None:
    """Count one update whose handling raised."""
    UPDATE_FAILURES.inc()


def count_answers(kind: AnswerKind, count: int = 1) -> None:
    """Count learners' answers of one kind, once they are committed (a batch: its count)."""
    if count:
        ANSWERS.labels(kind).inc(count)


def count_post(outcome: PostOutcome) -> None:
    """Count one channel post whose outcome was decided."""
    POSTS.labels(outcome).inc()


def count_demo(outcome: DemoOutcome) -> None:
    """Count one demo request by what came of it."""
    DEMO_JOBS.labels(outcome).inc()


def observe_send(seconds: float) -> None:
    """Record how long one send to Telegram took, pacing waits included."""
    SEND_SECONDS.observe(seconds)


def queue_entered() -> None:
    """An update was taken in hand (bot/dispatch.py)."""
    QUEUE_DEPTH.inc()


def queue_left() -> None:
    """An update is done with, replies included."""
    QUEUE_DEPTH.dec()
