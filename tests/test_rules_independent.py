"""ACWR and monotony compared with independent implementations.

1. The `acwr` package (PyPI acwr 0.1.1, pandas-based): EWMA ("ewma", span form 2/(N+1),
   adjust=False, seeded with the first day), rolling uncoupled ("rau"), Foster monotony and
   strain with ddof=0.
2. Plain formulas computed differently from syncd: the EWMA as a closed-form weighted sum
   instead of a recursion, monotony through sum-of-squares instead of deviations.
"""

from __future__ import annotations

import math
import random

import acwr
import pandas as pd
import pytest
from test_rules_kit import act, at, day, hist

from syncd.history import History
from syncd.rules.recovery import Monotony
from syncd.rules.windows import Acwr

DAYS = 120


def daily_minutes(seed: int) -> list[int]:
    rng = random.Random(seed)
    return [0 if rng.random() < 0.3 else rng.randint(20, 90) for _ in range(DAYS)]


def history_of(minutes: list[int]) -> History:
    acts = [act(at(i), m * 1000 // 6, moving_s=m * 60) for i, m in enumerate(minutes) if m]
    # a zero-load marker keeps day 0 in the index; until= keeps trailing rest days
    return hist([act(at(0), 1, moving_s=0), *acts], until=day(len(minutes) - 1))


def series(minutes: list[int]) -> pd.Series:
    idx = pd.date_range(day(0).isoformat(), periods=len(minutes), freq="D")
    return pd.Series([float(m) for m in minutes], index=idx)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_acwr_matches_the_acwr_package(seed: int) -> None:
    minutes = daily_minutes(seed)
    h, load = history_of(minutes), series(minutes)
    ewma = acwr.acwr(load, method="ewma", min_periods=1)
    rau = acwr.acwr(load, method="rau")
    checked = 0
    for i in range(27, DAYS):
        f = [x] if (x := Acwr().evaluate_day(h, day(i))) else []
        if not f:
            continue
        checked += 1
        assert f[0].metrics["acwr_ewma"] == pytest.approx(float(ewma.iloc[i]), rel=1e-12)
        assert f[0].metrics["acwr_rolling_uncoupled"] == pytest.approx(float(rau.iloc[i]), rel=1e-12)
    assert checked == DAYS - 27


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_monotony_matches_the_acwr_package_with_population_sd(seed: int) -> None:
    minutes = daily_minutes(seed)
    h, load = history_of(minutes), series(minutes)
    mono = acwr.monotony(load, ddof=0)
    strain = acwr.strain(load, ddof=0)
    for i in range(6, DAYS):
        expected = float(mono.iloc[i])
        f = [x] if (x := Monotony().evaluate_day(h, day(i))) else []
        assert bool(f) == (expected >= 1.5)
        if f:
            assert f[0].metrics["monotony"] == pytest.approx(expected, rel=1e-12)
            assert f[0].metrics["strain"] == pytest.approx(float(strain.iloc[i]), rel=1e-12)


def closed_form_ewma(xs: list[int], span: int) -> float:
    """EWMA of the last value as a weighted sum: (1-l)^t x0 + sum l (1-l)^(t-k) xk."""
    lam, t = 2 / (span + 1), len(xs) - 1
    return (1 - lam) ** t * xs[0] + sum(lam * (1 - lam) ** (t - k) * xs[k] for k in range(1, t + 1))


@pytest.mark.parametrize("seed", [5, 6])
def test_ewma_and_monotony_match_plain_formulas(seed: int) -> None:
    minutes = daily_minutes(seed)
    h = history_of(minutes)
    for i in (27, 50, DAYS - 1):
        assert h.ewma(day(i), 7) == pytest.approx(closed_form_ewma(minutes[: i + 1], 7))
        assert h.ewma(day(i), 28) == pytest.approx(closed_form_ewma(minutes[: i + 1], 28))
        week = minutes[i - 6 : i + 1]
        s, q = sum(week), sum(x * x for x in week)
        var = q / 7 - (s / 7) ** 2  # population variance from sums of squares
        f = [x] if (x := Monotony().evaluate_day(h, day(i))) else []
        expected = math.inf if var == 0 else (s / 7) / math.sqrt(var)
        assert bool(f) == (expected >= 1.5)
        if f:
            assert f[0].metrics["monotony"] == pytest.approx(expected)
