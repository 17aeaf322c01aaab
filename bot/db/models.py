"""The database schema of the whole product, as typed SQLAlchemy 2 models.

Content rows (topics, quizzes, interview questions, lessons) mirror the files under `content/`
and are retired, never deleted, so statistics survive edits. Everything about learners is keyed
by `learner_hash`, a keyed hash of the Telegram user id: the raw id is never stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

ID_LENGTH = 40
HASH_LENGTH = 64  # hex SHA-256


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings: adding a member later needs no PostgreSQL ALTER TYPE.
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class ItemKind(enum.StrEnum):
    """What kind of content item a row points at."""

    QUIZ = "quiz"
    INTERVIEW = "interview"
    LESSON = "lesson"


class ContentSource(enum.StrEnum):
    """Where a content item came from."""

    BANK = "bank"
    TELEGRAM_EXPORT = "telegram_export"
    CHAT = "chat"  # written by a channel admin in private chat with the bot


class Audience(enum.StrEnum):
    """Who a publication went to."""

    CHANNEL = "channel"
    PRIVATE = "private"


class PostState(enum.StrEnum):
    """Life cycle of a scheduled post."""

    PENDING = "pending"
    SENDING = "sending"  # claimed; intent recorded before the send
    SENT = "sent"
    UNCERTAIN = "uncertain"  # a crash left it "sending": an admin decides, never auto-resent
    FAILED = "failed"
    MISSED = "missed"  # due while the bot was down, past the grace window
    CANCELLED = "cancelled"


class Purpose(enum.StrEnum):
    """Why an item was sent: it decides what follows a learner's answer."""

    SINGLE = "single"  # /quiz, a topic button or a deep link
    TEST = "test"  # one quiz of a /test session
    REVIEW = "review"  # a due spaced-repetition card
    CHANNEL = "channel"  # a channel post
    # A quiz of a group game as it reached one player who answered it (one row per player:
    # the poll itself, shared by the group, is the game's, in `game_questions`).
    GAME = "game"


class NoticeKind(enum.StrEnum):
    """What channel admins are told about."""

    MISSED = "missed"  # due while the bot was down, past the grace window
    UNCERTAIN = "uncertain"  # a crash cut a send short: it may or may not be in the channel
    FAILED = "failed"  # Telegram refused it, or it would not fit
    SHORTAGE = "shortage"  # a recurring slot found nothing left to post
    REMOVED = "removed"  # the bot was removed from the channel or lost its right to post


class GameState(enum.StrEnum):
    """Life cycle of a group game."""

    RUNNING = "running"
    FINISHED = "finished"  # every question asked, the leaderboard sent
    CUT_SHORT = "cut_short"  # the bot was away too long: ended with the scores so far
    ABANDONED = "abandoned"  # the group refused the bot's messages (removed, no right to post)


class SnapshotSource(enum.StrEnum):
    """Where a vote snapshot came from."""

    LIVE = "live"
    IMPORT = "import"


class TimestampMixin:
    """Creation and last-change times."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ContentMixin(TimestampMixin):
    """Columns every synced content item has."""

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    topic_id: Mapped[str] = mapped_column(ForeignKey("topics.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(default=list)
    # Hash of the item as written in the files: sync touches a row only when it changed.
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    # Only items from the content files are retired by `content sync` when the files drop them.
    source: Mapped[ContentSource] = mapped_column(
        _enum(ContentSource), default=ContentSource.BANK, server_default=ContentSource.BANK.value
    )


class ItemRefMixin:
    """A reference to exactly one content item (or, for scheduled posts, possibly none yet)."""

    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind))
    quiz_id: Mapped[str | None] = mapped_column(ForeignKey("quizzes.id"), index=True)
    interview_question_id: Mapped[str | None] = mapped_column(ForeignKey("interview_questions.id"))
    lesson_id: Mapped[str | None] = mapped_column(ForeignKey("lessons.id"))

    @property
    def item_id(self) -> str | None:
        """The id of the referenced item, whatever its kind."""
        return self.quiz_id or self.interview_question_id or self.lesson_id


# How many of the three item columns are set; portable SQL for CHECK constraints.
_ITEM_REFS_SET = (
    "(CASE WHEN quiz_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN interview_question_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN lesson_id IS NULL THEN 0 ELSE 1 END)"
)
_ITEM_MATCHES_KIND = (
    "(kind = 'quiz' AND interview_question_id IS NULL AND lesson_id IS NULL)"
    " OR (kind = 'interview' AND quiz_id IS NULL AND lesson_id IS NULL)"
    " OR (kind = 'lesson' AND quiz_id IS NULL AND interview_question_id IS NULL)"
)


class Topic(Base):
    """A subject area of the bank, e.g. activation functions."""

    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    hashtag: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class Quiz(ContentMixin, Base):
    """A multiple-choice question served as a Telegram quiz poll."""

    __tablename__ = "quizzes"
    __table_args__ = (CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty_range"),)

    difficulty: Mapped[int] = mapped_column(SmallInteger)
    question: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    multiple_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    claim: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Imported polls whose right answer is unknown stay out of rotation until an admin sets it.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)

    options: Mapped[list[QuizOption]] = relationship(
        back_populates="quiz",
        order_by="QuizOption.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class QuizOption(Base):
    """One answer option of a quiz; `position` is 0-based as in Telegram's option ids."""

    __tablename__ = "quiz_options"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship(back_populates="options")


class InterviewQuestion(ContentMixin, Base):
    """An interview question with a model answer as bullets."""

    __tablename__ = "interview_questions"

    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[list[str]] = mapped_column()


class Lesson(ContentMixin, Base):
    """A short lesson post."""

    __tablename__ = "lessons"

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    hashtags: Mapped[list[str]] = mapped_column(default=list)


class Channel(TimestampMixin, Base):
    """A channel the bot posts to, with its posting settings."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    bot_is_admin: Mapped[bool] = mapped_column(Boolean, default=True)
    signature: Mapped[str | None] = mapped_column(Text)
    default_hashtags: Mapped[list[str]] = mapped_column(default=list)
    # The number the next channel quiz gets ("کوییز شماره N"); taken under a row lock.
    next_quiz_number: Mapped[int] = mapped_column(Integer, default=1)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_quizzes: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # When the admin list was last read from Telegram (getChatAdministrators).
    admins_checked_at: Mapped[datetime | None] = mapped_column(default=None)


class ChannelAdmin(Base):
    """A person Telegram lists as an admin of the channel who may post (owner or can_post).

    Kept under the keyed hash of their user id, like learners; refreshed from Telegram's
    admin list and from chat_member updates, so every bot process checks rights without an
    API call of its own.
    """

    __tablename__ = "channel_admins"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    admin_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True, index=True)


class AdminContact(Base):
    """A channel admin who added the bot or manages the channel through it: told of failures.

    Kept under the keyed hash of their user id, with their private chat id sealed
    (`ChatSealer`: encrypted, never in the clear) because a notice must reach them. Notices go
    only to contacts Telegram still lists as the channel's admins (`channel_admins`).
    """

    __tablename__ = "admin_contacts"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    admin_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True, index=True)
    sealed_chat: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(default=utcnow)


class AdminChoice(Base):
    """The channel an admin of several channels is working on."""

    __tablename__ = "admin_choices"

    admin_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdminNotice(Base):
    """Something a channel's admins must hear about, kept until it is delivered (an outbox).

    Written in the transaction of the state change it reports, so a crash cannot lose it;
    the scheduler delivers pending notices and retries those that fail.
    """

    __tablename__ = "admin_notices"
    __table_args__ = (Index("ix_admin_notices_pending", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_posts.id"))
    item_kind: Mapped[ItemKind | None] = mapped_column(_enum(ItemKind))
    due_at: Mapped[datetime] = mapped_column()
    # An error code or Telegram's description; the catalogue words it for the admins.
    detail: Mapped[str] = mapped_column(Text, default="")
    # The same fact is noticed once: e.g. "shortage:<slot>:<time>" or "missed:<post>".
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class TestSession(Base):
    """A learner's `/test` run of several quizzes in a row."""

    __tablename__ = "test_sessions"
    __test__ = False  # not a pytest test class, despite the name

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topics.id"))
    size: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    # A timed test: each quiz poll closes after this many seconds (Telegram's open_period).
    seconds_per_question: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    # When the question waiting for an answer runs out of time (None: none is waiting, or
    # the test is untimed); a job looks for passed deadlines, since Telegram sends no update.
    deadline: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # Questions whose time ran out unanswered.
    timed_out: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # While a timed test runs, the learner's chat sealed (`ChatSealer`): the question that
    # follows a timeout is sent without any update to answer. Cleared when the test ends.
    sealed_chat: Mapped[str | None] = mapped_column(Text, default=None)
    # Taken from a friend's link: the same questions in the same order.
    shared_test_id: Mapped[int | None] = mapped_column(
        ForeignKey("shared_tests.id", ondelete="SET NULL"), index=True
    )


class SharedTest(Base):
    """A finished test's questions in their order, behind an unguessable link code.

    Whoever opens `t.me/<bot>?start=test_<code>` takes the same test; results are compared by
    score only. The sharer is kept under the keyed hash (to know them when they open their own
    link, and for /forget), their score as a number.
    """

    __tablename__ = "shared_tests"
    __test__ = False  # not a pytest test class, despite the name

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    quiz_ids: Mapped[list[str]] = mapped_column()
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topics.id"))
    seconds_per_question: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    owner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    owner_correct: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(TimestampMixin, Base):
    """A learner's daily review reminder at a local hour (TIMEZONE), sent only when due.

    Kept under the keyed hash, with the private chat sealed (`ChatSealer`): a reminder must
    reach the learner, and a keyed hash cannot be turned back into a chat id.
    """

    __tablename__ = "reminders"
    __table_args__ = (CheckConstraint("hour BETWEEN 0 AND 23", name="hour_range"),)

    learner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, index=True)
    sealed_chat: Mapped[str] = mapped_column(Text)
    # The local day the reminder was last considered: one look a day, due or not.
    checked_on: Mapped[date | None] = mapped_column(Date, default=None)


class Publication(ItemRefMixin, Base):
    """An item sent somewhere: a channel post or a quiz sent to a learner in private chat.

    Private-chat publications keep the learner's hash, never the chat id (which is the raw
    user id).
    """

    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint(f"{_ITEM_REFS_SET} = 1", name="one_item"),
        CheckConstraint(_ITEM_MATCHES_KIND, name="item_matches_kind"),
        CheckConstraint(
            "(audience = 'channel' AND channel_id IS NOT NULL AND learner_hash IS NULL)"
            " OR (audience = 'private' AND channel_id IS NULL AND learner_hash IS NOT NULL)",
            name="audience_target",
        ),
        UniqueConstraint("channel_id", "quiz_number"),
        Index("ix_publications_learner_hash_kind", "learner_hash", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audience: Mapped[Audience] = mapped_column(_enum(Audience))
    purpose: Mapped[Purpose] = mapped_column(
        _enum(Purpose), default=Purpose.SINGLE, server_default=Purpose.SINGLE.value
    )
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    learner_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    poll_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    quiz_number: Mapped[int | None] = mapped_column(Integer)
    test_session_id: Mapped[int | None] = mapped_column(ForeignKey("test_sessions.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class RecurringSlot(Base):
    """A standing order, e.g. "a quiz every day at 18:00 Tehran time"."""

    __tablename__ = "recurring_slots"
    __table_args__ = (CheckConstraint("weekdays BETWEEN 1 AND 127", name="weekdays_mask"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind))
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topics.id"))
    # Bit 0 is Monday ... bit 6 is Sunday (ISO weekday - 1).
    weekdays: Mapped[int] = mapped_column(SmallInteger)
    local_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tehran")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    filled_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduledPost(ItemRefMixin, TimestampMixin, Base):
    """A post planned for a channel at a UTC time, claimed atomically when due."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (
        CheckConstraint(f"{_ITEM_REFS_SET} <= 1", name="at_most_one_item"),
        CheckConstraint(_ITEM_MATCHES_KIND, name="item_matches_kind"),
        UniqueConstraint("slot_id", "due_at"),
        Index("ix_scheduled_posts_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[PostState] = mapped_column(_enum(PostState), default=PostState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("recurring_slots.id"))
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    # Taken from the channel's counter when the post is first claimed, kept across retries.
    quiz_number: Mapped[int | None] = mapped_column(Integer)


class VoteSnapshot(Base):
    """The vote totals of a channel poll at one moment (channel polls are anonymous)."""

    __tablename__ = "vote_snapshots"
    __table_args__ = (Index("ix_vote_snapshots_publication_taken", "publication_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    total_voter_count: Mapped[int] = mapped_column(Integer)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[SnapshotSource] = mapped_column(
        _enum(SnapshotSource), default=SnapshotSource.LIVE
    )

    options: Mapped[list[VoteSnapshotOption]] = relationship(
        order_by="VoteSnapshotOption.position", cascade="all, delete-orphan", lazy="selectin"
    )


class VoteSnapshotOption(Base):
    """One option's vote count within a snapshot."""

    __tablename__ = "vote_snapshot_options"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("vote_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    voter_count: Mapped[int] = mapped_column(Integer)


class LearnerAnswer(Base):
    """A learner's answer to a quiz poll, stored under the keyed hash of their user id."""

    __tablename__ = "learner_answers"
    __table_args__ = (
        UniqueConstraint("publication_id", "learner_hash"),
        # Covers what the statistics read, in learner order, without the table (exports).
        Index(
            "ix_learner_answers_learner_cover",
            "learner_hash",
            "quiz_id",
            "attempt",
            "is_correct",
            "option_mask",
        ),
        Index("ix_learner_answers_quiz_attempt", "quiz_id", "attempt"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"))
    # Bit i set = option at position i chosen; SQL can test it with `option_mask & (1 << i)`.
    option_mask: Mapped[int] = mapped_column(Integer)
    is_correct: Mapped[bool] = mapped_column(Boolean)
    # 1 for the learner's first answer to this quiz: item statistics use first attempts only.
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    test_session_id: Mapped[int | None] = mapped_column(ForeignKey("test_sessions.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReviewCard(Base):
    """A learner's FSRS spaced-repetition card for one quiz."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_learner_due", "learner_hash", "due_at"),)

    learner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due_at: Mapped[datetime] = mapped_column()
    last_review_at: Mapped[datetime | None] = mapped_column(default=None)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


class DemoCooldown(Base):
    """When a learner last started a fresh demo run (one per cooldown, across processes)."""

    __tablename__ = "demo_cooldowns"

    learner_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column()


class ConversationState(Base):
    """Where a person is in a multi-step flow (e.g. /schedule), with the draft so far.

    Keyed by a keyed hash of the chat and user, never their ids. Read before each update and
    written in the update's own transaction, so a restart keeps it and every bot process
    sees the same step.
    """

    __tablename__ = "conversation_states"

    flow: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime] = mapped_column()


class DemoResult(Base):
    """A cached NN demo run, keyed by demo, parameters and code version."""

    __tablename__ = "demo_results"

    cache_key: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    demo: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    params: Mapped[dict[str, Any]] = mapped_column()
    code_version: Mapped[str] = mapped_column(String(40))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    caption: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column()
    device: Mapped[str] = mapped_column(String(16))
    duration_ms: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupSettings(Base):
    """A group's game settings, chosen by its admins; the group kept under a keyed hash."""

    __tablename__ = "group_settings"
    __table_args__ = (
        CheckConstraint("timer_seconds BETWEEN 5 AND 600", name="timer_range"),
        CheckConstraint("questions BETWEEN 1 AND 50", name="questions_range"),
    )

    group_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    timer_seconds: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topics.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupGame(Base):
    """A quiz game in a group: a durable state machine the games tick drives.

    The group is kept under a keyed hash; its chat id, which the bot must read back to post,
    only sealed (`ChatSealer`). No member's id or name is kept: players are keyed hashes in
    `game_answers`, their first names live in the bot's memory for the game only.
    """

    __tablename__ = "group_games"
    __table_args__ = (Index("ix_group_games_state_next_at", "state", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    # The group's hash while the game runs, NULL once it is over: being unique, it lets a
    # group run one game at a time, across bot processes too (NULLs never collide).
    running_in: Mapped[str | None] = mapped_column(String(HASH_LENGTH), unique=True)
    sealed_chat: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topics.id"))
    size: Mapped[int] = mapped_column(Integer)
    timer_seconds: Mapped[int] = mapped_column(Integer)
    state: Mapped[GameState] = mapped_column(_enum(GameState), default=GameState.RUNNING)
    # Questions whose poll was claimed for sending so far (positions 1..asked).
    asked: Mapped[int] = mapped_column(Integer, default=0)
    # When the tick next has something to do: post, stop a poll, or send the leaderboard.
    next_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class GameQuestion(Base):
    """One question of a group game, in the order chosen when the game started."""

    __tablename__ = "game_questions"

    game_id: Mapped[int] = mapped_column(
        ForeignKey("group_games.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"))
    poll_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class GameAnswer(Base):
    """A player's first answer to a question of a group game, under their keyed hash.

    What the leaderboard ranks by: right answers, then answer time. The answer itself is also
    a `LearnerAnswer` (with its review card), so it counts for the player's /me and reviews.
    """

    __tablename__ = "game_answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["game_id", "position"],
            ["game_questions.game_id", "game_questions.position"],
            ondelete="CASCADE",
        ),
    )

    game_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    player_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True, index=True)
    is_correct: Mapped[bool] = mapped_column(Boolean)
    # From the poll being sent to the answer arriving, by the bot's clock.
    answer_ms: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column()
