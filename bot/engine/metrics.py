"""Agreement between grader scores and human scores: Pearson, Spearman, quadratic weighted kappa."""

from __future__ import annotations

import math
from collections.abc import Sequence


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation (0.0 when either side is constant)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks with ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman rank correlation (Pearson on average ranks)."""
    return pearson(ranks(xs), ranks(ys))


def quadratic_weighted_kappa(rater_a: Sequence[int], rater_b: Sequence[int], low: int = 0, high: int = 5) -> float:
    """Cohen's kappa with quadratic weights over integer scores in [low, high]."""
    size = high - low + 1
    n = len(rater_a)
    if n == 0:
        return 0.0
    observed = [[0.0] * size for _ in range(size)]
    for a, b in zip(rater_a, rater_b, strict=True):
        observed[a - low][b - low] += 1
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    numerator = denominator = 0.0
    for i in range(size):
        for j in range(size):
            weight = (i - j) ** 2 / (size - 1) ** 2
            numerator += weight * observed[i][j] / n
            denominator += weight * hist_a[i] * hist_b[j] / (n * n)
    return 1.0 - numerator / denominator if denominator else 0.0
