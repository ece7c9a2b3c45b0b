"""`mlprep bench adaptive`: simulated learners under random, round-robin and adaptive question selection."""

from __future__ import annotations

import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from functools import partial
from pathlib import Path

from pydantic import BaseModel

from bot.engine.simulate import POLICIES, RunResult, SimConfig, simulate_learner


class PolicyStats(BaseModel):
    """How one policy did over all learners."""

    mean_questions: float
    median_questions: float
    reached_share: float  # learners who got every topic to the target within the budget
    final_skill: float


class AdaptiveBench(BaseModel):
    """The contract of `bench adaptive --json`: mean questions needed per policy and the gain over random."""

    random: float
    round_robin: float
    adaptive: float
    improvement_vs_random: float
    improvement_vs_round_robin: float
    learners: int
    seed: int
    detail: dict[str, PolicyStats]
    config: dict[str, float | int]


def bench_adaptive(
    learners: int = 200, seed: int = 1, workers: int = 2, config: SimConfig | None = None, plot: Path | None = None
) -> AdaptiveBench:
    """Simulate `learners` learners under every policy (same learners for each) and compare."""
    config = config or SimConfig()
    run = partial(simulate_learner, config, seed)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(run, range(learners), chunksize=max(1, learners // (4 * workers))))
    else:
        runs = [run(index) for index in range(learners)]
    results = {name: [r[name] for r in runs] for name in POLICIES}
    detail = {name: _stats(items) for name, items in results.items()}
    if plot is not None:
        _plot(results, config, plot)
    means = {name: d.mean_questions for name, d in detail.items()}
    return AdaptiveBench(
        random=means["random"],
        round_robin=means["round_robin"],
        adaptive=means["adaptive"],
        improvement_vs_random=round(1 - means["adaptive"] / means["random"], 4),
        improvement_vs_round_robin=round(1 - means["adaptive"] / means["round_robin"], 4),
        learners=learners,
        seed=seed,
        detail=detail,
        config=asdict(config),
    )


def _stats(items: list[RunResult]) -> PolicyStats:
    """Summary of one policy's runs."""
    needed = [r.needed for r in items]
    return PolicyStats(
        mean_questions=round(statistics.mean(needed), 1),
        median_questions=round(statistics.median(needed), 1),
        reached_share=round(sum(r.reached for r in items) / len(items), 4),
        final_skill=round(statistics.mean(r.final_skill for r in items), 3),
    )


def _plot(results: dict[str, list[RunResult]], config: SimConfig, path: Path) -> None:
    """Cumulative share of learners with every topic at the target, by questions answered, per policy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    steps = range(0, config.budget + 1, 10)
    for name, items in results.items():
        reached = sorted(r.needed for r in items if r.reached)
        share = [sum(n <= s for n in reached) / len(items) for s in steps]
        ax.plot(list(steps), share, label=name.replace("_", "-"))
    ax.set_xlabel("questions answered")
    ax.set_ylabel("learners with every topic at target")
    ax.set_title(f"Simulated learners ({len(next(iter(results.values())))}), {config.topics} topics")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
