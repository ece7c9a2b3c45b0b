"""Agreement metrics used by `mlprep eval`."""

from __future__ import annotations

import pytest

from bot.engine.metrics import pearson, quadratic_weighted_kappa, ranks, spearman


def test_pearson_and_spearman() -> None:
    """Perfect, inverse and monotone-but-not-linear relations."""
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) == 0.0
    assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)
    assert pearson([1, 2, 3, 4], [1, 4, 9, 16]) < 1.0


def test_ties_get_average_ranks() -> None:
    """Tied values share the mean of their ranks."""
    assert ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_quadratic_weighted_kappa() -> None:
    """1 for perfect agreement, about 0 for chance, negative for systematic disagreement."""
    assert quadratic_weighted_kappa([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]) < 0
    near = quadratic_weighted_kappa([0, 1, 2, 3, 4, 5], [1, 1, 2, 3, 4, 4])
    assert 0.8 < near < 1.0
