"""What a learner's request led to: typed, frozen outcomes the handlers render and send.

Each service call of a learner update returns one of these (or a tuple of them, shown in
order); nothing here is text: the Persian catalogue words every outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.learning.catalog import TopicSummary
from bot.services.learning.scores import TopicScore
from bot.services.learning.shares import Standing
from bot.services.learning.views import InterviewView, QuizView, TopicRef


@dataclass(frozen=True)
class Nothing:
    """Nothing to show (e.g. a single quiz's answer: Telegram itself shows the result)."""


@dataclass(frozen=True)
class Gone:
    """The item or topic a button or link points at is no longer served."""


@dataclass(frozen=True)
class Welcome:
    """The greeting of /start, with the menu."""


@dataclass(frozen=True)
class Help:
    """The list of commands; channel admins also see theirs."""

    admin: bool


@dataclass(frozen=True)
class UnknownTopic:
    """The typed topic matches none: show what there is."""

    text: str
    topics: tuple[TopicSummary, ...]


@dataclass(frozen=True)
class TopicList:
    """Every topic with its counts (/topics)."""

    topics: tuple[TopicSummary, ...]


@dataclass(frozen=True)
class TopicMenu:
    """What can be done with one topic: a quiz, a test of `test_size`, an interview question."""

    topic: TopicRef
    test_size: int


@dataclass(frozen=True)
class NoQuizzes:
    """The scope has no quiz to serve."""


@dataclass(frozen=True)
class NoInterviews:
    """The scope has no interview question to serve."""


@dataclass(frozen=True)
class NextQuiz:
    """A single quiz to send; `topic` is the scope its "next" button stays in (None: all)."""

    quiz: QuizView
    topic: TopicRef | None
    repeated: bool  # every quiz of the scope was seen: this one was seen longest ago


@dataclass(frozen=True)
class NextInterview:
    """An interview question to send, its model answer behind a button."""

    question: InterviewView
    topic: TopicRef | None
    repeated: bool


@dataclass(frozen=True)
class InterviewAnswer:
    """The model answer of an interview question, to reveal under it."""

    question: InterviewView


@dataclass(frozen=True)
class BadTestSize:
    """A /test size outside the allowed range."""

    low: int
    high: int


@dataclass(frozen=True)
class TestChoice:
    """Before a test starts: with a timer per question (one of `timers`, seconds) or without."""

    __test__ = False

    topic: TopicRef | None
    size: int
    requested: int
    timers: tuple[int, ...]


@dataclass(frozen=True)
class TestQuestion:
    """The `number`-th of `size` quizzes of a test; `seconds` to answer it, if timed."""

    __test__ = False  # not a pytest test class, despite the name

    quiz: QuizView
    test_id: int
    number: int
    size: int
    seconds: int | None = None


@dataclass(frozen=True)
class TestStarted:
    """A test opened: its size (fewer than `requested` if the scope is small), the first quiz.

    `shared`: the questions of a friend's link, in its order.
    """

    __test__ = False

    size: int
    requested: int
    topic: TopicRef | None
    first: TestQuestion
    seconds: int | None = None
    shared: bool = False


@dataclass(frozen=True)
class ScoreCard:
    """The result of a finished test: right, wrong, and unanswered (time ran out).

    `share_code` makes the link that gives a friend the same questions; `standing` compares
    a test taken from such a link with the sender's and the other takers' scores.
    """

    size: int
    correct: int
    wrong: int
    unanswered: int
    seconds: int | None  # the timer per question, None for an untimed test
    duration: timedelta
    weakest: TopicScore | None
    topic_id: str | None  # the test's scope, for the "next quiz" button
    share_code: str
    standing: Standing | None = None


@dataclass(frozen=True)
class SharedResults:
    """How a shared test went: for its sender (`sender` None), or one who took it already."""

    code: str
    standing: Standing


@dataclass(frozen=True)
class BadTestLink:
    """A `test_<code>` link that names no shared test (mistyped, or its sender forgot it)."""


@dataclass(frozen=True)
class StaleTestLink:
    """A shared test some of whose questions are no longer served."""


@dataclass(frozen=True)
class ReminderPanel:
    """/remind: the reminder's hour (None: off) and the hours to choose from."""

    hour: int | None


@dataclass(frozen=True)
class ReminderSet:
    """The daily reminder is on at this local hour."""

    hour: int


@dataclass(frozen=True)
class ReminderOff:
    """The reminder is off (`was_on`: it had been on)."""

    was_on: bool


@dataclass(frozen=True)
class BadReminderHour:
    """An hour the reminder cannot be set to (a whole hour, 0–23, is needed)."""

    text: str


@dataclass(frozen=True)
class NextReview:
    """The oldest due review card's quiz; `announce` says how many are due first."""

    quiz: QuizView
    due_count: int
    announce: bool


@dataclass(frozen=True)
class NoReviewCards:
    """The learner has answered nothing that could be reviewed."""


@dataclass(frozen=True)
class NothingDue:
    """Nothing is due now; `finished` when the learner just cleared the due reviews."""

    next_due_at: datetime
    finished: bool


@dataclass(frozen=True)
class ProgressReport:
    """Everything /me shows."""

    answered: int
    correct: int
    streak_days: int
    reviews_due: int
    topics: tuple[TopicScore, ...]


@dataclass(frozen=True)
class NoAnswersYet:
    """/me before the first answer."""


@dataclass(frozen=True)
class ForgetAsked:
    """/forget asks for confirmation first."""


@dataclass(frozen=True)
class Forgotten:
    """Everything stored for the learner was deleted."""


@dataclass(frozen=True)
class ForgetCancelled:
    """The learner chose to keep their data."""


# What a learner's answer to a quiz poll leads to.
AfterAnswer = Nothing | TestQuestion | ScoreCard | NextReview | NothingDue | NoReviewCards
