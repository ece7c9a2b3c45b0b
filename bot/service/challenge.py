"""Group challenges: start, answer within the round, end rounds with standings, stop; all persisted."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.adapters.store import Challenge, Store
from bot.engine.challenge import ChallengeStanding, RoundAnswer, easiest_first, standings
from bot.engine.grading.result import GradeResult
from bot.engine.models import BankQuestion, ConceptQuestion
from bot.errors import MlprepError, NoQuestionAvailable, UnknownTopic
from bot.service.models import QuestionCard
from bot.service.practice import Service

GRACE = timedelta(seconds=2)  # answers submitted just as the timer fires still count


class ChallengeError(MlprepError):
    """A challenge action that cannot happen now (with the reason for the user)."""


class NamedStanding(BaseModel):
    """A standing with the participant's display name and external id."""

    model_config = ConfigDict(frozen=True)

    standing: ChallengeStanding
    external_id: str
    name: str


class RoundReport(BaseModel):
    """What to post when a round ends: its question, who scored what, totals, and what comes next."""

    model_config = ConfigDict(frozen=True)

    challenge: Challenge
    finished_round: int
    question: QuestionCard
    solution: str | None
    reference_answer: str | None
    round_results: list[tuple[str, float, bool]]
    totals: list[NamedStanding]
    next_card: QuestionCard | None


CHALLENGE_EXPLORE = 0.3  # group events want variety more than one learner's practice does


class ChallengeService:
    """Timed group challenges in a channel; answers also count as practice and toward the leaderboard."""

    def __init__(self, practice: Service, store: Store, clock: Callable[[], datetime], rng: random.Random) -> None:
        self.practice = practice
        self.store = store
        self.clock = clock
        self.rng = rng

    def start(
        self, guild_id: int, channel_id: int, host: str, topic: str | None, count: int, seconds: int
    ) -> tuple[Challenge, QuestionCard]:
        """Start a challenge in a channel (one at a time) and return it with the first card."""
        if topic is not None and topic not in self.practice.bank.topics:
            raise UnknownTopic(topic, sorted(self.practice.bank.topics))
        candidates = self.practice.bank.select(topic=topic)
        if not candidates:
            raise NoQuestionAvailable("No question matches that topic.")
        host_user = self.practice.user(host)
        draft = Challenge(
            id=0,
            guild_id=guild_id,
            channel_id=channel_id,
            host_id=host_user.id,
            topic=topic,
            question_ids=self._pick(guild_id, candidates, count),
            seconds=seconds,
            round=0,
            round_started_at=self.clock(),
            status="running",
        )
        challenge = self.store.create_challenge(draft)
        if challenge is None:
            raise ChallengeError("A challenge is already running in this channel: wait for it or /challenge stop.")
        return challenge, self.practice.card(challenge.question_id)

    def _pick(self, guild_id: int, candidates: list[BankQuestion], count: int) -> list[str]:
        """The server's policy picks (its members' weak topics, interleaved, questions of recent challenges last),
        then easiest first to warm up."""
        picked: list[BankQuestion] = []
        recent = self.store.recent_challenge_questions(guild_id)
        while len(picked) < min(count, len(candidates)):
            choice = self.practice.choose_for_server(
                guild_id,
                candidates,
                self.rng,
                attempted=recent,
                exclude={q.id for q in picked},
                recent_topics=[q.topic for q in reversed(picked)],
                explore=CHALLENGE_EXPLORE,
            )
            if choice is None:
                break
            picked.append(self.practice.question(choice.question_id))
        return easiest_first(picked)

    def current(self, challenge_id: int, round_number: int) -> Challenge:
        """The challenge if this round is still open for answers."""
        challenge = self.store.challenge(challenge_id)
        if challenge is None or challenge.status != "running" or challenge.round != round_number:
            raise ChallengeError("This round has closed.")
        if self.clock() > challenge.round_started_at + timedelta(seconds=challenge.seconds) + GRACE:
            raise ChallengeError("Time is up for this round.")
        return challenge

    def answer(self, challenge_id: int, round_number: int, external_id: str, answer: str, result: GradeResult) -> bool:
        """Record a participant's graded answer for the round; False if they had already answered it."""
        challenge = self.current(challenge_id, round_number)
        user = self.practice.user(external_id)
        item = self.practice.question(challenge.question_id)
        entry = RoundAnswer(
            round=round_number,
            user_id=user.id,
            difficulty=item.question.difficulty,
            score=result.score,
            passed=result.passed,
        )
        if not self.store.add_challenge_answer(challenge.id, entry, result.verdict, self.clock()):
            return False
        self.practice.record_answer(external_id, item.id, answer, result, challenge.guild_id, source="challenge")
        return True

    def end_round(self, challenge_id: int) -> RoundReport | None:
        """Close the current round, advance (or finish), and report; None if the challenge is not running."""
        challenge = self.store.challenge(challenge_id)
        if challenge is None or challenge.status != "running":
            return None
        finished = challenge.round
        last = finished + 1 >= len(challenge.question_ids)
        updated = challenge.model_copy(
            update={
                "round": finished if last else finished + 1,
                "status": "finished" if last else "running",
                "round_started_at": self.clock(),
            }
        )
        self.store.update_challenge(updated)
        return self._report(updated, finished, None if last else self.practice.card(updated.question_id))

    def stop(self, channel_id: int, external_id: str, is_admin: bool) -> RoundReport:
        """Stop the channel's challenge (its host or a server manager) and report the final standings."""
        challenge = self.store.running_challenge(channel_id)
        if challenge is None:
            raise ChallengeError("No challenge is running in this channel.")
        if not is_admin and self.practice.user(external_id).id != challenge.host_id:
            raise ChallengeError("Only the challenge's host or a server manager can stop it.")
        stopped = challenge.model_copy(update={"status": "stopped"})
        self.store.update_challenge(stopped)
        return self._report(stopped, challenge.round, None)

    def running(self) -> list[Challenge]:
        """Running challenges, for resuming timers after a restart."""
        return self.store.running_challenges()

    def _report(self, challenge: Challenge, finished: int, next_card: QuestionCard | None) -> RoundReport:
        """Build the end-of-round (or final) report."""
        answers = self.store.challenge_answers(challenge.id)
        ids = sorted({a.user_id for a in answers})
        names, externals = self.store.display_names(ids), self.store.external_ids(ids)
        this_round = sorted((a for a in answers if a.round == finished), key=lambda a: -a.score)
        item = self.practice.question(challenge.question_ids[finished])
        question = item.question
        return RoundReport(
            challenge=challenge,
            finished_round=finished,
            question=self.practice.card(item.id),
            solution=question.solution,
            reference_answer=question.reference_answer if isinstance(question, ConceptQuestion) else None,
            round_results=[(names.get(a.user_id, "?"), a.score, a.passed) for a in this_round],
            totals=[
                NamedStanding(standing=s, external_id=externals.get(s.user_id, "?"), name=names.get(s.user_id, "?"))
                for s in standings(answers)
            ],
            next_card=next_card,
        )
