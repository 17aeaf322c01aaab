"""Recording a learner's answer to a quiz poll, and deciding what follows it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Audience,
    LearnerAnswer,
    Publication,
    Purpose,
    Quiz,
    QuizOption,
    ReviewCard,
    TestSession,
)
from bot.services.groups import games
from bot.services.groups.outcomes import PlayerAnswered
from bot.services.learning import exams, publications, reviews
from bot.services.learning.outcomes import AfterAnswer, Nothing
from bot.services.learning.reviews import CardValues, reviewed

if TYPE_CHECKING:
    from bot.metrics import AnswerKind

log = logging.getLogger(__name__)


def option_mask(option_ids: Sequence[int]) -> int:
    """Bit i set for each chosen option position i."""
    mask = 0
    for option_id in option_ids:
        mask |= 1 << option_id
    return mask


async def answer_poll(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> AfterAnswer | PlayerAnswered:
    """Store the answer under the learner's hash, review its card, and say what follows.

    A test's answer brings its next quiz or the score card, a review's the next due review;
    a single quiz needs nothing (its poll shows the result and carries a "next" button).
    Idempotent: a repeated update changes nothing and reviews nothing. An empty option list
    (a retracted vote) removes the stored answer. Only the learner the poll was sent to is
    heard: a vote in a forwarded copy (someone else's) would move their test on. Option ids
    the quiz does not have are ignored. Everything needed is read in one query: this is the
    bot's busiest path. A poll that is no private quiz may be a group game's (see
    `_answer_in_game`).
    """
    outcome, _kind = await answer_poll_kind(session, learner, poll_id, option_ids, now)
    return outcome


async def answer_poll_kind(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> tuple[AfterAnswer | PlayerAnswered, AnswerKind]:
    """`answer_poll`, and what became of the answer (as the metrics count it)."""
    existing = aliased(LearnerAnswer)
    correct_mask = (
        select(func.coalesce(func.sum(literal(1).op("<<")(QuizOption.position)), 0))
        .where(QuizOption.quiz_id == Publication.quiz_id, QuizOption.is_correct)
        .scalar_subquery()
    )
    option_count = (
        select(func.count())
        .select_from(QuizOption)
        .where(QuizOption.quiz_id == Publication.quiz_id)
        .scalar_subquery()
    )
    previous = (
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == Publication.quiz_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(Publication, correct_mask, previous, existing.id, option_count)
            .join(Quiz, Quiz.id == Publication.quiz_id)
            .outerjoin(
                existing,
                and_(existing.publication_id == Publication.id, existing.learner_hash == learner),
            )
            .where(
                Publication.poll_id == poll_id,
                Publication.audience == Audience.PRIVATE,
                Publication.learner_hash == learner,
            )
        )
    ).first()
    if row is None:
        return await _answer_in_game(session, learner, poll_id, option_ids, now)
    publication, right_mask, earlier, existing_id, options = row
    if any(not 0 <= option_id < options for option_id in option_ids):
        log.info("answer with options %s to a quiz of %s ignored", option_ids, options)
        return Nothing(), "ignored"
    if not option_ids:
        if existing_id is None:
            return Nothing(), "ignored"
        await session.execute(delete(LearnerAnswer).where(LearnerAnswer.id == existing_id))
        return Nothing(), "retracted"
    if existing_id is not None:
        return Nothing(), "duplicate"  # Telegram delivered the same answer again
    test = None
    if publication.test_session_id is not None:
        # Locked: a timed question is settled once, by its answer or by the job's timeout.
        test = await session.get(TestSession, publication.test_session_id, with_for_update=True)
    if (
        test is not None
        and test.seconds_per_question is not None
        and not await exams.answer_in_time(session, test, publication.id, now)
    ):
        # Too late to count; if it is the waiting question, the test moves on now.
        return await exams.time_out(session, test, now) or Nothing(), "late"

    quiz_id = str(publication.quiz_id)
    correct = option_mask(option_ids) == int(right_mask)
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=quiz_id,
            option_mask=option_mask(option_ids),
            is_correct=correct,
            attempt=int(earlier) + 1,
            test_session_id=publication.test_session_id,
            answered_at=now,
        )
    )
    await reviews.review(session, learner, quiz_id, correct, now)
    if test is not None:
        if test.finished_at is not None:
            return Nothing(), "recorded"
        test.correct_count += 1 if correct else 0
        return await exams.advance(session, test, now), "recorded"
    if publication.purpose is Purpose.REVIEW:
        return await reviews.next_review(session, learner, now, announce=False), "recorded"
    return Nothing(), "recorded"


async def _answer_in_game(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> tuple[PlayerAnswered | Nothing, AnswerKind]:
    """A vote in a group game's poll: scored for the game and stored like a private answer.

    Only the first answer while the poll is open counts; a late one (after the timer, or once
    the poll was stopped) is not stored at all. The answer reaches the player's history as a
    publication of their own (purpose GAME, the poll being the group's), so /me, reviews and
    the statistics count it like any other.
    """
    poll = await games.game_poll(session, poll_id, now)
    if poll is None:
        log.info("answer to unknown poll %s ignored (or to another learner's)", poll_id)
        return Nothing(), "ignored"
    if not poll.open:
        log.info("answer to game poll %s after it closed ignored", poll_id)
        return Nothing(), "late"
    if not option_ids:  # Telegram lets no one take back a quiz vote; the first one stands
        return Nothing(), "ignored"
    right_mask, options, earlier = (
        await session.execute(
            select(
                select(func.coalesce(func.sum(literal(1).op("<<")(QuizOption.position)), 0))
                .where(QuizOption.quiz_id == poll.quiz_id, QuizOption.is_correct)
                .scalar_subquery(),
                select(func.count())
                .select_from(QuizOption)
                .where(QuizOption.quiz_id == poll.quiz_id)
                .scalar_subquery(),
                select(func.count())
                .select_from(LearnerAnswer)
                .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == poll.quiz_id)
                .scalar_subquery(),
            )
        )
    ).one()
    if any(not 0 <= option_id < options for option_id in option_ids):
        log.info("answer with options %s to a quiz of %s ignored", option_ids, options)
        return Nothing(), "ignored"
    correct = option_mask(option_ids) == int(right_mask)
    if not await games.record_answer(session, poll, learner, correct, now):
        return Nothing(), "duplicate"  # Telegram delivered the same answer again
    publication = await publications.record_game_quiz(session, learner, poll.quiz_id, poll.sent_at)
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=poll.quiz_id,
            option_mask=option_mask(option_ids),
            is_correct=correct,
            attempt=int(earlier) + 1,
            answered_at=now,
        )
    )
    await reviews.review(session, learner, poll.quiz_id, correct, now)
    return PlayerAnswered(poll.game_id, learner), "game"


@dataclass(frozen=True)
class Vote:
    """One poll answer waiting for its batch: who, which poll, which options, when."""

    learner: str
    poll_id: str
    option_ids: tuple[int, ...]
    now: datetime


# The batch's statements, built once: each execution only binds values (building them afresh,
# as `answer_poll` does, costs more than running them). Core tables, not the ORM: no identity
# map or unit of work for rows that are only inserted once. Every statement is a trip to the
# driver (on SQLite three or four hops to its thread and back), so the batch reads in one:
# each poll with its quiz's right options, the learner's earlier answers and their card.
_ANSWERS = cast(Table, LearnerAnswer.__table__)
_CARDS = cast(Table, ReviewCard.__table__)
_OPTIONS = cast(Table, QuizOption.__table__)
_PUBLICATIONS = cast(Table, Publication.__table__)
_CARD_FIELDS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due_at",
    "last_review_at",
    "reviews",
    "lapses",
)
_RIGHT_MASK = (
    select(func.coalesce(func.sum(literal(1).op("<<")(_OPTIONS.c.position)), 0))
    .where(_OPTIONS.c.quiz_id == _PUBLICATIONS.c.quiz_id, _OPTIONS.c.is_correct)
    .scalar_subquery()
)
_OPTION_COUNT = (
    select(func.count())
    .select_from(_OPTIONS)
    .where(_OPTIONS.c.quiz_id == _PUBLICATIONS.c.quiz_id)
    .scalar_subquery()
)
_EARLIER = (
    select(func.count())
    .select_from(_ANSWERS)
    .where(
        _ANSWERS.c.learner_hash == _PUBLICATIONS.c.learner_hash,
        _ANSWERS.c.quiz_id == _PUBLICATIONS.c.quiz_id,
    )
    .scalar_subquery()
)
_EXISTING = (
    select(_ANSWERS.c.id)
    .where(
        _ANSWERS.c.publication_id == _PUBLICATIONS.c.id,
        _ANSWERS.c.learner_hash == _PUBLICATIONS.c.learner_hash,
    )
    .scalar_subquery()
)
_POLLS_COLUMNS = (
    select(
        _PUBLICATIONS.c.id,
        _PUBLICATIONS.c.poll_id,
        _PUBLICATIONS.c.learner_hash,
        _PUBLICATIONS.c.quiz_id,
        _PUBLICATIONS.c.purpose,
        _PUBLICATIONS.c.test_session_id,
        _RIGHT_MASK.label("right_mask"),
        _OPTION_COUNT.label("option_count"),
        _EARLIER.label("earlier"),
        _EXISTING.label("existing_id"),
        _CARDS.c.learner_hash.label("card_of"),
        *(_CARDS.c[name] for name in _CARD_FIELDS),
    )
    .select_from(_PUBLICATIONS)
    .outerjoin(
        _CARDS,
        and_(
            _CARDS.c.learner_hash == _PUBLICATIONS.c.learner_hash,
            _CARDS.c.quiz_id == _PUBLICATIONS.c.quiz_id,
        ),
    )
    .where(_PUBLICATIONS.c.audience == Audience.PRIVATE)
)
# The batch's polls. On PostgreSQL as one array parameter: an IN list would be a new
# statement text for every batch size, prepared and planned afresh each time (planning was
# a third of the SELECT); one text is prepared once and its plan kept.
_POLLS = {
    "postgresql": _POLLS_COLUMNS.where(
        _PUBLICATIONS.c.poll_id == any_(bindparam("poll_ids", type_=ARRAY(String)))
    ),
    "sqlite": _POLLS_COLUMNS.where(
        _PUBLICATIONS.c.poll_id.in_(bindparam("poll_ids", expanding=True))
    ),
}
# By its natural key: a row this batch already sent has no id known here.
_DELETE_ANSWER = delete(_ANSWERS).where(
    _ANSWERS.c.publication_id == bindparam("answered"),
    _ANSWERS.c.learner_hash == bindparam("answerer"),
)
_INSERT_ANSWER = insert(_ANSWERS)


def _card_upsert(dialect_insert: Any) -> Any:
    statement = dialect_insert(_CARDS)
    return statement.on_conflict_do_update(
        index_elements=["learner_hash", "quiz_id"],
        set_={name: statement.excluded[name] for name in _CARD_FIELDS},
    )


# New and reviewed cards alike, in one statement (SQLite: an executemany).
_UPSERT_CARD = _card_upsert(sqlite_insert)
_ANSWER_FIELDS = (
    "learner_hash",
    "publication_id",
    "quiz_id",
    "option_mask",
    "is_correct",
    "attempt",
    "test_session_id",
    "answered_at",
)
_CARD_KEY_FIELDS = ("learner_hash", "quiz_id", *_CARD_FIELDS)


def _unnested(table: Table, names: Sequence[str], prefix: str) -> Select[Any]:
    """Rows given as one array parameter per column (`prefix` + name), as a SELECT."""
    columns = [table.c[name] for name in names]
    arrays = (
        func.unnest(*(bindparam(prefix + each.name, type_=ARRAY(each.type)) for each in columns))
        .table_valued(*(column(each.name, each.type) for each in columns))
        .render_derived()
    )
    return select(*arrays.c)


def _postgresql_write() -> Any:
    # On PostgreSQL the batch's answers and cards go in one statement of one fixed text
    # (prepared once), with a parameter per column holding every row: an executemany is
    # a server round of bind and execute per row, and SQLAlchemy's own work per row on top.
    answered = (
        insert(_ANSWERS)
        .from_select(_ANSWER_FIELDS, _unnested(_ANSWERS, _ANSWER_FIELDS, "answer_"))
        .cte("answered")
    )
    statement = postgresql_insert(_CARDS).from_select(
        _CARD_KEY_FIELDS, _unnested(_CARDS, _CARD_KEY_FIELDS, "card_")
    )
    return statement.on_conflict_do_update(
        index_elements=["learner_hash", "quiz_id"],
        set_={name: statement.excluded[name] for name in _CARD_FIELDS},
    ).add_cte(answered)


_WRITE_POSTGRESQL = _postgresql_write()


def _columns(
    rows: Sequence[dict[str, object]], names: Sequence[str], prefix: str
) -> dict[str, list[object]]:
    """`rows` turned into one list per column, keyed as `_unnested` names its parameters."""
    return {prefix + name: [row[name] for row in rows] for name in names}


@dataclass
class _Card:
    values: CardValues | None
    changed: bool = False


class _Batch:
    """What one batch read, and the writes it has decided but not yet sent."""

    def __init__(self) -> None:
        self.publications: dict[str, Any] = {}  # rows of _POLLS by poll id
        # Per (learner, quiz): how many answers (attempts so far); the publications whose
        # learner has answered them (stored or about to be), and the rows not yet sent.
        self.earlier: dict[tuple[str, str], int] = {}
        self.answered: set[int] = set()
        self.pending: dict[int, dict[str, object]] = {}
        self.cards: dict[tuple[str, str], _Card] = {}
        self.deletes: list[dict[str, object]] = []
        self.inserts: list[dict[str, object]] = []

    async def read(self, connection: AsyncConnection, votes: Sequence[Vote]) -> None:
        """Everything the votes of the batch need, in one SELECT."""
        self.take(await connection.execute(*_polls_query(connection.dialect.name, votes)))

    def read_sync(self, connection: Connection, votes: Sequence[Vote]) -> None:
        """`read` on a synchronous connection (in a thread of its own)."""
        self.take(connection.execute(*_polls_query(connection.dialect.name, votes)))

    def take(self, rows: Iterable[Any]) -> None:
        """Keep what the SELECT of `_POLLS` brought."""
        for row in rows:
            self.publications[row.poll_id] = row
            if row.learner_hash is None or row.quiz_id is None:
                continue
            key = (row.learner_hash, str(row.quiz_id))
            self.earlier.setdefault(key, int(row.earlier))
            if row.existing_id is not None:
                self.answered.add(row.id)
            if row.card_of is not None:
                values = CardValues(*(getattr(row, name) for name in _CARD_FIELDS))
                self.cards[key] = _Card(values)

    def answer(self, vote: Vote, publication: Any) -> tuple[Nothing, AnswerKind]:
        """`answer_poll` for a private quiz outside a test or review, decided in memory."""
        quiz_id = str(publication.quiz_id)
        options = int(publication.option_count)
        if any(not 0 <= option_id < options for option_id in vote.option_ids):
            log.info("answer with options %s to a quiz of %s ignored", vote.option_ids, options)
            return Nothing(), "ignored"
        key = (vote.learner, quiz_id)
        if not vote.option_ids:
            if publication.id not in self.answered:
                return Nothing(), "ignored"
            self.answered.discard(publication.id)
            self.earlier[key] -= 1
            unsent = self.pending.pop(publication.id, None)
            if unsent is not None:
                self.inserts.remove(unsent)
            else:
                self.deletes.append({"answered": publication.id, "answerer": vote.learner})
            return Nothing(), "retracted"
        if publication.id in self.answered:
            return Nothing(), "duplicate"  # Telegram delivered the same answer again
        mask = option_mask(vote.option_ids)
        correct = mask == int(publication.right_mask)
        self.earlier[key] += 1
        row: dict[str, object] = {
            "learner_hash": vote.learner,
            "publication_id": publication.id,
            "quiz_id": quiz_id,
            "option_mask": mask,
            "is_correct": correct,
            "attempt": self.earlier[key],
            "test_session_id": None,
            "answered_at": vote.now,
        }
        self.answered.add(publication.id)
        self.pending[publication.id] = row
        self.inserts.append(row)
        card = self.cards.setdefault(key, _Card(None))
        card.values = reviewed(card.values, correct, vote.now)
        card.changed = True
        return Nothing(), "recorded"

    async def write(self, connection: AsyncConnection) -> None:
        """Send the decided writes."""
        for statement, parameters in self.writes(connection.dialect.name):
            await connection.execute(statement, parameters)

    def write_sync(self, connection: Connection) -> None:
        """`write` on a synchronous connection (in a thread of its own)."""
        for statement, parameters in self.writes(connection.dialect.name):
            connection.execute(statement, parameters)

    def writes(self, dialect: str) -> list[tuple[Any, Any]]:
        """The decided writes as statements with their parameters, to be sent in order (an
        executemany each; deletes first: a retracted vote given again in the same batch
        takes the place its old row held); from then on they count as stored."""
        writes: list[tuple[Any, Any]] = []
        if self.deletes:
            writes.append((_DELETE_ANSWER, self.deletes))
        cards = [
            {"learner_hash": learner, "quiz_id": quiz_id}
            | {name: getattr(card.values, name) for name in _CARD_FIELDS}
            # In key order: batches of two processes lock the rows they share in one order.
            for (learner, quiz_id), card in sorted(self.cards.items(), key=lambda kv: kv[0])
            if card.changed and card.values is not None
        ]
        if dialect == "postgresql":
            if self.inserts or cards:
                parameters = _columns(self.inserts, _ANSWER_FIELDS, "answer_") | _columns(
                    cards, _CARD_KEY_FIELDS, "card_"
                )
                writes.append((_WRITE_POSTGRESQL, parameters))
        else:
            if self.inserts:
                writes.append((_INSERT_ANSWER, self.inserts))
            if cards:
                writes.append((_UPSERT_CARD, cards))
        for card in self.cards.values():
            card.changed = False
        # Rows sent are stored now: a later retraction in the batch deletes them by key.
        self.deletes, self.inserts, self.pending = [], [], {}
        return writes


def _polls_query(dialect: str, votes: Sequence[Vote]) -> tuple[Any, dict[str, object]]:
    """The SELECT of the batch's polls, with its parameter."""
    return _POLLS[dialect], {"poll_ids": sorted({vote.poll_id for vote in votes})}


def _in_memory(vote: Vote, publication: Any | None) -> bool:
    """Whether the batch decides this vote itself: a private quiz of the voter's, outside a
    test or a review (the rest goes through `answer_poll`)."""
    return (
        publication is not None
        and publication.learner_hash == vote.learner
        and publication.quiz_id is not None
        and publication.test_session_id is None
        and publication.purpose is not Purpose.REVIEW
    )


async def read_batch(connection: AsyncConnection, votes: Sequence[Vote]) -> _Batch:
    """What the batch's votes need, read in one SELECT (for `answer_batch` or
    `answer_batch_alone`)."""
    batch = _Batch()
    await batch.read(connection, votes)
    return batch


async def answer_batch_alone(
    connection: AsyncConnection, batch: _Batch, votes: Sequence[Vote]
) -> list[tuple[object, AnswerKind]] | None:
    """The batch's outcomes, its writes sent as one statement, when that is all it needs:
    every vote decided in memory and none taken back. None (nothing decided, nothing
    written) otherwise: a retraction's DELETE and the rest must commit together.

    For a connection in autocommit on PostgreSQL: the one statement (`_WRITE_POSTGRESQL`)
    is atomic on its own, so the batch needs no BEGIN and COMMIT of its own, two round trips
    fewer. It reads what it decides from as a transaction under READ COMMITTED would (each
    statement sees what was committed before it began); a vote another process stores
    meanwhile meets the unique key and fails the statement, and with it the batch.
    """
    outcomes = _decided_alone(batch, votes)
    if outcomes is not None:
        await batch.write(connection)
    return outcomes


def answer_batch_alone_sync(
    connection: Connection, votes: Sequence[Vote]
) -> list[tuple[object, AnswerKind]] | None:
    """`read_batch` and `answer_batch_alone` on a synchronous connection, inside its
    transaction: for SQLite, whose async driver takes each statement to its thread and back
    (three or four hops a statement); here the whole batch is one trip to a thread."""
    batch = _Batch()
    batch.read_sync(connection, votes)
    outcomes = _decided_alone(batch, votes)
    if outcomes is not None:
        batch.write_sync(connection)
    return outcomes


def _decided_alone(batch: _Batch, votes: Sequence[Vote]) -> list[tuple[object, AnswerKind]] | None:
    """The votes' outcomes decided in memory, when every one can be; else None, undecided."""
    if not all(
        vote.option_ids and _in_memory(vote, batch.publications.get(vote.poll_id)) for vote in votes
    ):
        return None
    return [batch.answer(vote, batch.publications[vote.poll_id]) for vote in votes]


async def answer_batch(
    session: AsyncSession, votes: Sequence[Vote], batch: _Batch | None = None
) -> list[tuple[object, AnswerKind]]:
    """`answer_poll_kind` for many votes in one transaction, in order: the same rows, fewer
    trips.

    The common case (a private quiz outside a test or a review) is decided in memory from one
    SELECT (`batch`, when `read_batch` already read it for these votes) and
    written with one statement per table on SQLite, one in all on PostgreSQL. The rest (a
    test's question, a review, a game's poll, an unknown or someone else's poll) goes through
    `answer_poll` itself, after the writes decided so far; from then on that learner's later
    votes in the batch do too, since the batch's reading of them is stale.
    """
    connection = await session.connection()
    if batch is None:
        batch = await read_batch(connection, votes)
    outcomes: list[tuple[object, AnswerKind]] = []
    by_orm: set[str] = set()
    for vote in votes:
        publication = batch.publications.get(vote.poll_id)
        if vote.learner not in by_orm and _in_memory(vote, publication):
            outcomes.append(batch.answer(vote, publication))
            continue
        by_orm.add(vote.learner)
        await batch.write(connection)
        options = list(vote.option_ids)
        outcomes.append(
            await answer_poll_kind(session, vote.learner, vote.poll_id, options, vote.now)
        )
        await session.flush()
    await batch.write(connection)
    return outcomes
