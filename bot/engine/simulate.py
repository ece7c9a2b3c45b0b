"""Simulated learners for `mlprep bench adaptive`: does the adaptive policy get people to a target skill in every
topic with fewer questions than random or round-robin selection?

Each learner has a hidden skill per topic (logit scale). Answering a question is a success with probability
sigmoid(skill - difficulty); practising a topic raises its skill most when the question is a little above the
learner's level (and little when it is far too easy or far too hard); every simulated day each topic's skill
fades part of the way back toward where it started. The policies see only the graded outcomes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.engine.policy import MAX_RUN, Candidate, choose
from bot.engine.skill import TopicSkill, initial_item, level_to_logit, sigmoid, update_item, update_skill

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SimConfig:
    """The simulated world; every number is a modelling assumption written up in docs/benchmarks.md."""

    topics: int = 12
    per_level: int = 8  # questions per topic and difficulty level 1-5
    budget: int = 1500  # questions each learner answers under every policy
    target: float = 1.0  # hidden skill every topic must reach (73% success on a difficulty-3 question)
    start_mean: float = -0.3
    start_sd: float = 1.0
    item_noise: float = 0.3  # true difficulty = bank level on the logit scale + this much noise
    gain: float = 0.12  # skill gained from a question pitched at the best level
    best_gap: float = -0.5  # learning peaks on questions the learner gets right ~62% of the time
    gap_width: float = 0.8
    questions_per_day: int = 30
    fade_per_day: float = 0.02  # share of the skill gained that fades each day
    session: int = 20  # no repeats within this many questions


@dataclass
class Learner:
    """One simulated learner's hidden state."""

    start: list[float]
    skill: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.skill = list(self.start)


@dataclass(frozen=True)
class RunResult:
    """How one policy did for one learner."""

    needed: int  # questions until every topic reached the target (budget if never)
    reached: bool
    final_skill: float  # mean hidden skill over topics at the end of the budget


@dataclass(frozen=True)
class World:
    """A bank with true difficulties, and its candidates as the policy sees them (bank levels only)."""

    true_difficulty: dict[str, float]
    topic_of: dict[str, int]
    candidates: list[Candidate]


def make_world(config: SimConfig, rng: random.Random) -> World:
    """A bank of `topics` x 5 levels x `per_level` questions."""
    truth, topic_of, candidates = {}, {}, []
    for t in range(config.topics):
        for level in range(1, 6):
            for k in range(config.per_level):
                qid = f"t{t}-d{level}-{k}"
                truth[qid] = level_to_logit(level) + rng.gauss(0.0, config.item_noise)
                topic_of[qid] = t
                candidates.append(Candidate(qid, f"t{t}", initial_item(qid, level)))
    return World(truth, topic_of, candidates)


class Policy(Protocol):
    """A selection policy under test: picks questions and sees each graded outcome."""

    def pick(self, step: int, rng: random.Random) -> str:
        """The next question id."""
        ...

    def observe(self, qid: str, score: float, step: int) -> None:
        """One graded outcome."""
        ...


def run_learner(config: SimConfig, world: World, learner: Learner, policy: Policy, rng: random.Random) -> RunResult:
    """Answer `budget` questions chosen by `policy`; note when every topic first reached the target."""
    needed, reached = config.budget, False
    for step in range(config.budget):
        qid = policy.pick(step, rng)
        t = world.topic_of[qid]
        gap = world.true_difficulty[qid] - learner.skill[t]
        score = 1.0 if rng.random() < sigmoid(-gap) else 0.0
        learner.skill[t] += config.gain * math.exp(-((gap - config.best_gap) ** 2) / (2 * config.gap_width**2))
        policy.observe(qid, score, step)
        if (step + 1) % config.questions_per_day == 0:
            learner.skill = [
                s - config.fade_per_day * max(0.0, s - s0) for s, s0 in zip(learner.skill, learner.start, strict=True)
            ]
        if not reached and min(learner.skill) >= config.target:
            needed, reached = step + 1, True
    return RunResult(needed, reached, sum(learner.skill) / len(learner.skill))


class RandomPolicy:
    """Any question of the bank, uniformly."""

    def __init__(self, world: World) -> None:
        self.ids = [c.question_id for c in world.candidates]

    def pick(self, step: int, rng: random.Random) -> str:
        """A uniformly random question."""
        return rng.choice(self.ids)

    def observe(self, qid: str, score: float, step: int) -> None:
        """Random selection learns nothing."""


class RoundRobinPolicy:
    """Topics in turn, a random question of the topic each time."""

    def __init__(self, world: World) -> None:
        self.by_topic: dict[str, list[str]] = {}
        for c in world.candidates:
            self.by_topic.setdefault(c.topic, []).append(c.question_id)
        self.topics = sorted(self.by_topic)

    def pick(self, step: int, rng: random.Random) -> str:
        """The next topic's random question."""
        return rng.choice(self.by_topic[self.topics[step % len(self.topics)]])

    def observe(self, qid: str, score: float, step: int) -> None:
        """Round-robin learns nothing."""


class AdaptivePolicy:
    """Our policy, learning the learner's topic skills and the items' difficulties from graded outcomes only."""

    def __init__(self, config: SimConfig, world: World) -> None:
        self.config, self.world = config, world
        self.skills: dict[str, TopicSkill] = {}
        self.candidates = list(world.candidates)
        self.index = {c.question_id: i for i, c in enumerate(self.candidates)}
        self.recent: list[str] = []
        self.attempted: set[str] = set()

    def now(self, step: int) -> datetime:
        """Simulated time of a step."""
        return START + timedelta(days=step / self.config.questions_per_day)

    def pick(self, step: int, rng: random.Random) -> str:
        """Ask the policy."""
        topics = [f"t{self.world.topic_of[q]}" for q in reversed(self.recent[-MAX_RUN:])]
        choice = choose(
            self.candidates, self.skills, rng, attempted=self.attempted, exclude=set(self.recent), recent_topics=topics
        )
        assert choice is not None
        return choice.question_id

    def observe(self, qid: str, score: float, step: int) -> None:
        """Fold a graded outcome into the estimates."""
        topic = f"t{self.world.topic_of[qid]}"
        skill = self.skills.get(topic) or TopicSkill(topic=topic)
        i = self.index[qid]
        item = self.candidates[i].item
        self.skills[topic] = update_skill(skill, item, score, self.now(step))
        self.candidates[i] = Candidate(qid, topic, update_item(item, skill.rating, score))
        self.attempted.add(qid)
        self.recent = (self.recent + [qid])[-self.config.session :]


POLICIES = ("random", "round_robin", "adaptive")


def simulate_learner(config: SimConfig, seed: int, index: int) -> dict[str, RunResult]:
    """Run every policy on one learner (same starting skills and bank), seeded by (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    world = make_world(config, rng)
    start = [rng.gauss(config.start_mean, config.start_sd) for _ in range(config.topics)]
    policies: dict[str, Policy] = {
        "random": RandomPolicy(world),
        "round_robin": RoundRobinPolicy(world),
        "adaptive": AdaptivePolicy(config, world),
    }
    return {
        name: run_learner(config, world, Learner(start), policy, random.Random(f"{seed}:{index}:{name}"))
        for name, policy in policies.items()
    }


def simulate(config: SimConfig, learners: int, seed: int) -> dict[str, list[RunResult]]:
    """Run every policy on `learners` simulated learners."""
    runs = [simulate_learner(config, seed, index) for index in range(learners)]
    return {name: [run[name] for run in runs] for name in POLICIES}
