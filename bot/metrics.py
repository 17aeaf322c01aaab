"""The bot's Prometheus metrics, in one registry served at /metrics (see bot/ops_server.py).

Names follow Prometheus conventions: counters end in `_total`, durations are in seconds.
Label values are fixed small sets (never a chat, a learner or a text), so a series per label
stays cheap and nothing personal leaves the process.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

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
    "Learners' poll answers stored (duplicates and retractions included), by kind.",
    ["kind"],
    registry=REGISTRY,
)
POSTS = Counter(
    "quizbot_posts_total",
    "Channel posts by outcome: sent, failed (reported to admins) or uncertain (may have gone).",
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
    "NN demo runs by outcome: done, failed, timeout, cached.",
    ["outcome"],
    registry=REGISTRY,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)
