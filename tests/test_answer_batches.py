"""Answers written by group commit store exactly what answers written one by one store.

The polls are real: sent by the bot in process (single quizzes, a /test, a group game; a
review's publication recorded as its handler records it). The same votes then go through
`answer_poll` one transaction's worth at a time and through `answer_batch` at once, each
rolled back afterwards, and the tables are compared; then through the handlers concurrently,
committed. Ids the database hands out are left out of the comparison (PostgreSQL's sequences
do not roll back); the rows they point at are compared through their own fields instead.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.batching import AnswerBatcher
from bot.db import engine as engines
from bot.db.models import (
    GameAnswer,
    GameQuestion,
    GroupGame,
    LearnerAnswer,
    Publication,
    Purpose,
    ReviewCard,
    TestSession,
)
from bot.services.learning import answers, publications
from bot.services.learning.answers import Vote
from tests.fakebot import FakeUser
from tests.harness import Harness
from tests.inprocess import InProcessBot, one
from tests.test_engine import restart_connections
from tests.test_group_games import next_poll, start_game
from tests.test_learner_handlers import start_test

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")
REZA = FakeUser(33_333_333, "Reza", "reza_dl")
NEDA = FakeUser(44_444_444, "Neda", "neda_ai")


async def deep_link_poll(bot: InProcessBot, user: FakeUser, quiz_id: str) -> str:
    """The poll of `/start quiz_<id>`."""
    return bot.poll_id_of(one(await bot.send_text(user, f"/start quiz_{quiz_id}"), "sendPoll"))


@dataclass(frozen=True)
class QuizPolls:
    """Single quizzes sent to ALI (relu twice, sigmoid after one answered), SARA and NEDA."""

    relu_first: str
    relu_again: str
    sigmoid: str
    saras: str
    nedas: str


async def quiz_polls(bot: InProcessBot) -> QuizPolls:
    """Send the quizzes of `QuizPolls`; ALI's earlier sigmoid answer leaves a stored card."""
    relu_first = await deep_link_poll(bot, ALI, "act-relu-grad")
    relu_again = await deep_link_poll(bot, ALI, "act-relu-grad")
    sigmoid_earlier = await deep_link_poll(bot, ALI, "act-sigmoid-max")
    await bot.answer_poll(ALI, sigmoid_earlier, bot.correct_of(sigmoid_earlier))  # a card stored
    return QuizPolls(
        relu_first,
        relu_again,
        await deep_link_poll(bot, ALI, "act-sigmoid-max"),
        await deep_link_poll(bot, SARA, "cnn-params"),
        await deep_link_poll(bot, NEDA, "act-relu-grad"),
    )


async def tables(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row an answer may write, without the ids the database hands out."""
    answer_rows = select(
        *(c for c in LearnerAnswer.__table__.c if c.name not in ("id", "publication_id")),
        Publication.poll_id,
        Publication.purpose,
        Publication.sent_at,
    ).join(Publication, Publication.id == LearnerAnswer.publication_id)
    found = {"learner_answers": (await session.execute(answer_rows)).all()}
    others: list[Any] = [ReviewCard, TestSession, GameAnswer, GameQuestion, GroupGame]
    for model in others:
        found[model.__tablename__] = (await session.execute(select(model.__table__))).all()
    publication_columns = (c for c in Publication.__table__.c if c.name != "id")
    found["publications"] = (await session.execute(select(*publication_columns))).all()
    return {name: sorted((tuple(row) for row in rows), key=repr) for name, rows in found.items()}


async def one_by_one(session: AsyncSession, votes: Sequence[Vote]) -> list[object]:
    """The per-answer path: each vote as its own unit of work would decide it."""
    outcomes: list[object] = []
    for vote in votes:
        poll, options = vote.poll_id, list(vote.option_ids)
        outcomes.append(
            await answers.answer_poll_kind(session, vote.learner, poll, options, vote.now)
        )
        await session.flush()
    return outcomes


async def rolled_back(bot: InProcessBot, votes: Sequence[Vote], batched: bool) -> Any:
    """The outcomes and tables after the votes, then undone (the next run starts the same)."""
    random.seed(14)  # FSRS fuzzes long intervals
    async with bot.runtime.sessions() as session:
        await session.begin()
        if batched:
            outcomes = await answers.answer_batch(session, votes)
        else:
            outcomes = await one_by_one(session, votes)
        found = await tables(session)
        await session.rollback()
    return outcomes, found


async def test_a_batch_stores_what_answers_one_by_one_store(inproc: InProcessBot) -> None:
    bot = inproc
    person = bot.runtime.person
    ali, sara, reza, neda = person(ALI.id), person(SARA.id), person(REZA.id), person(NEDA.id)
    polls = await quiz_polls(bot)
    relu_first, relu_again, sigmoid = polls.relu_first, polls.relu_again, polls.sigmoid
    saras, nedas = polls.saras, polls.nedas
    cnn = await deep_link_poll(bot, ALI, "cnn-params")
    in_test = bot.poll_id_of(one(await start_test(bot, REZA, "/test cnn 2"), "sendPoll"))
    async with bot.runtime.sessions.begin() as session:  # what /review's handler records
        await publications.record_private_quiz(
            session, sara, "act-tanh-range", "review-poll", 9, Purpose.REVIEW, bot.runtime.now()
        )
    await start_game(bot)
    game = bot.poll_id_of(await next_poll(bot))
    now = bot.runtime.now()

    def vote(learner: str, poll: str, options: list[int]) -> Vote:
        return Vote(learner, poll, tuple(options), now)

    right, wrong = bot.correct_of, lambda poll: [bot.wrong_option(poll)]
    votes = [
        vote(ali, relu_first, right(relu_first)),  # a first answer
        vote(ali, relu_first, right(relu_first)),  # Telegram delivers it again: stored once
        vote(ali, relu_again, wrong(relu_again)),  # the same quiz again: attempt 2, card again
        vote(ali, relu_first, []),  # taken back
        vote(ali, relu_first, wrong(relu_first)),  # and given anew: attempt 2 again
        vote(ali, cnn, [0, 1]),  # two options ticked: a wrong mask
        vote(ali, cnn, [7]),  # an option the quiz does not have: ignored
        vote(ali, sigmoid, wrong(sigmoid)),  # a stored card reviewed
        vote(neda, nedas, right(nedas)),
        vote(sara, relu_first, [0]),  # someone else's poll (a forwarded copy): not heard
        vote(sara, "no-such-poll", [0]),
        vote(sara, saras, right(saras)),
        vote(sara, "review-poll", [1]),  # a review: the next one follows
        vote(reza, in_test, right(in_test)),  # a test's question: the next one follows
        vote(reza, in_test, right(in_test)),
        vote(ali, game, right(game)),  # a group game's poll
        vote(sara, game, wrong(game)),
        vote(sara, game, right(game)),  # a game's first answer stands
        vote(ali, cnn, right(cnn)),  # after a game's answer of the same learner
        vote(neda, nedas, []),  # taken back after the batch sent its row (before a test's)
        vote(neda, nedas, wrong(nedas)),
    ]
    expected = await rolled_back(bot, votes, batched=False)
    assert await rolled_back(bot, votes, batched=True) == expected
    outcomes, found = expected
    assert len(found["learner_answers"]) == 11  # one stored before, ten here
    assert len(found["game_answers"]) == 2
    assert {kind for _outcome, kind in outcomes} == {
        "recorded",
        "duplicate",
        "retracted",
        "ignored",
        "game",
    }
    assert {type(outcome).__name__ for outcome, _kind in outcomes} >= {
        "Nothing",
        "TestQuestion",
        "PlayerAnswered",
    }

    # Through the handlers, concurrently: one batch, one commit, then the replies.
    concurrent = [votes[0], votes[11], votes[13], votes[16]]
    expected = await rolled_back(bot, concurrent, batched=False)
    batcher = bot.runtime.answers
    batcher.window, batcher.size = 60.0, len(concurrent)  # the batch is whole at the fourth
    users = [ALI, SARA, REZA, SARA]
    since, batches = bot.api.mark(), batcher.batches
    random.seed(14)
    updates = [
        bot.process(bot.api.poll_answer_update(user, v.poll_id, list(v.option_ids)))
        for user, v in zip(users, concurrent, strict=True)
    ]
    await asyncio.gather(*updates)
    assert batcher.batches == batches + 1
    next_question = one(bot.api.calls[since:], "sendPoll", REZA.id)  # REZA's test goes on
    assert next_question.params["question"].startswith("(۲/۲)")
    async with bot.runtime.sessions() as session:
        found = await tables(session)
    # The replies went on too: the test's next question is a publication the rollback had not.
    assert set(expected[1].pop("publications")) < set(found.pop("publications"))
    assert found == expected[1]


async def test_one_bad_answer_fails_alone_and_the_rest_of_its_batch_is_stored(
    inproc: InProcessBot,
) -> None:
    bot = inproc
    polls = [await deep_link_poll(bot, user, "cnn-params") for user in (ALI, SARA, NEDA)]
    batcher = AnswerBatcher(bot.runtime.sessions, window=60.0, size=3)
    now = bot.runtime.now()
    bad_time = datetime(2026, 1, 1)  # naive: the database layer refuses it
    votes = [
        Vote(bot.runtime.person(user.id), poll, (0,), at)
        for user, poll, at in zip((ALI, SARA, NEDA), polls, (now, bad_time, now), strict=True)
    ]
    results = await asyncio.gather(*map(batcher.submit, votes), return_exceptions=True)
    assert isinstance(results[1], ValueError)
    assert [type(result).__name__ for result in (results[0], results[2])] == ["Nothing"] * 2
    async with bot.runtime.sessions() as session:
        stored = await session.scalars(select(LearnerAnswer.learner_hash))
        assert sorted(stored) == sorted([votes[0].learner, votes[2].learner])
    assert batcher.batches == 2  # the failed batch's two good votes, each alone


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no SQL involved
async def test_a_private_polls_totals_are_dropped_without_a_transaction(
    inproc: InProcessBot,
) -> None:
    bot = inproc
    poll = await deep_link_poll(bot, ALI, "cnn-params")
    begun: list[object] = []

    def began(connection: object) -> None:
        begun.append(connection)

    event.listen(bot.runtime.engine.sync_engine, "begin", began)
    try:
        await bot.answer_poll(ALI, poll, bot.correct_of(poll))
        answered = len(begun)
        # Telegram sends the bot's own non-anonymous poll's new totals with each vote.
        assert await bot.poll_results(poll, [0, 0, 1, 0]) == []
        assert len(begun) == answered
    finally:
        event.remove(bot.runtime.engine.sync_engine, "begin", began)
    async with bot.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LearnerAnswer)) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no SQL involved
async def test_an_answer_from_a_name_no_database_can_hold_is_still_refused(
    inproc: InProcessBot,
) -> None:
    bot = inproc
    poll = await deep_link_poll(bot, ALI, "cnn-params")
    odd = FakeUser(ALI.id, "Ali\x00", "ali_learns")  # the quick check of poll answers
    assert await bot.answer_poll(odd, poll, bot.correct_of(poll)) == []
    assert await bot.count(LearnerAnswer) == 0
    await bot.answer_poll(ALI, poll, bot.correct_of(poll))
    assert await bot.count(LearnerAnswer) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # both run in the bench
async def test_votes_polled_together_are_committed_together_and_then_confirmed(
    harness: Harness,
) -> None:
    learners = [FakeUser(60_000_000 + n, f"L{n}") for n in range(6)]
    polls = [(await harness.poll_for(user, "/quiz"))[0] for user in learners]
    assert harness.runtime is not None
    batches = harness.runtime.answers.batches
    # Queued without a pause between them, the votes reach the bot in one getUpdates; each
    # comes as Telegram reports it, the poll_answer and then the poll's new totals.
    for user, poll in zip(learners, polls, strict=True):
        last = await harness.api.vote(user, poll, harness.api.polls[poll]["correct_option_ids"])
    for user in learners:
        await harness.caught_up(user)
    assert harness.api.confirmed_below > last  # the totals too, though no handler took them
    async with harness.runtime.sessions() as session:
        stored = (await session.scalars(select(LearnerAnswer.is_correct))).all()
    assert stored == [True] * len(learners)
    # Fetched together and handled concurrently: one commit for several votes.
    assert harness.runtime.answers.batches - batches < len(learners)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_batch_whose_connection_the_server_dropped_is_stored_all_the_same(
    inproc: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "IDLE_PING_SECONDS", 3600.0)  # in steady use: not checked
    bot = inproc
    polls = [await deep_link_poll(bot, user, "cnn-params") for user in (ALI, SARA, NEDA)]
    await restart_connections(bot.runtime.engine)  # the pooled ones are all dead now
    batcher = AnswerBatcher(bot.runtime.sessions, window=60.0, size=3)
    now = bot.runtime.now()
    votes = [
        Vote(bot.runtime.person(user.id), poll, (0,), now)
        for user, poll in zip((ALI, SARA, NEDA), polls, strict=True)
    ]
    results = await asyncio.gather(*map(batcher.submit, votes))
    assert [type(result).__name__ for result in results] == ["Nothing"] * 3
    async with bot.runtime.sessions() as session:
        stored = await session.scalars(select(LearnerAnswer.learner_hash))
        assert sorted(stored) == sorted(vote.learner for vote in votes)
    assert batcher.batches == 3  # the failed batch, written again vote by vote


async def test_batches_of_plain_quiz_answers_store_what_answers_one_by_one_store(
    inproc: InProcessBot,
) -> None:
    # On PostgreSQL such a batch is one statement without a transaction of its own; with a
    # retraction in it, a transaction again. Either way the rows are the per-answer path's.
    bot = inproc
    person = bot.runtime.person
    ali, sara, neda = person(ALI.id), person(SARA.id), person(NEDA.id)
    polls = await quiz_polls(bot)
    relu_first, relu_again, sigmoid = polls.relu_first, polls.relu_again, polls.sigmoid
    saras, nedas = polls.saras, polls.nedas
    now = bot.runtime.now()
    right, wrong = bot.correct_of, lambda poll: [bot.wrong_option(poll)]
    batches = [
        [
            Vote(ali, relu_first, tuple(right(relu_first)), now),
            Vote(ali, relu_first, tuple(right(relu_first)), now),  # delivered again
            Vote(ali, relu_again, tuple(wrong(relu_again)), now),  # attempt 2, card again
            Vote(ali, sigmoid, tuple(wrong(sigmoid)), now),  # a stored card reviewed
            Vote(sara, saras, (0, 1), now),  # two options ticked: a wrong mask
            Vote(neda, nedas, (7,), now),  # an option the quiz does not have: ignored
        ],
        [
            Vote(neda, nedas, tuple(right(nedas)), now),
            Vote(ali, relu_again, (), now),  # taken back (stored by the batch before)
            Vote(ali, relu_again, tuple(right(relu_again)), now),  # and given anew
        ],
    ]
    batcher = AnswerBatcher(bot.runtime.sessions, window=60.0, size=len(batches[0]))
    for votes in batches:
        expected = await rolled_back(bot, votes, batched=False)
        batcher.size = len(votes)
        random.seed(14)  # FSRS fuzzes long intervals
        outcomes = await asyncio.gather(*map(batcher.submit, votes))
        assert outcomes == [outcome for outcome, _kind in expected[0]]
        async with bot.runtime.sessions() as session:
            assert await tables(session) == expected[1]
    assert batcher.batches == 2
    async with bot.runtime.sessions() as session:
        stored = await session.scalars(select(LearnerAnswer.attempt).order_by(LearnerAnswer.id))
        # sigmoid before, relu, sigmoid again, Sara's, Neda's, relu's second attempt anew
        assert list(stored) == [1, 1, 2, 1, 1, 2]


async def test_a_batcher_closed_at_a_stop_still_stores_a_vote_that_comes_after(
    inproc: InProcessBot,
) -> None:
    # On SQLite a closed batcher has no thread of its own left: the async driver writes.
    bot = inproc
    poll = await deep_link_poll(bot, ALI, "cnn-params")
    batcher = AnswerBatcher(bot.runtime.sessions)
    await batcher.close()
    await batcher.close()  # twice: nothing left to close
    vote = Vote(bot.runtime.person(ALI.id), poll, tuple(bot.correct_of(poll)), bot.runtime.now())
    assert type(await batcher.submit(vote)).__name__ == "Nothing"
    async with bot.runtime.sessions() as session:
        assert (await session.scalars(select(LearnerAnswer.is_correct))).all() == [True]
