"""Axioms of tuopin.measures checked with hypothesis (default profile; the whole file runs in seconds).

Inputs are kept away from float extremes (incomes ≥ 0.01 or exactly 0, ≤ 1e6) because the axioms are
statements about real numbers; comparisons that are mathematically weak inequalities allow 1e-12 of
rounding slack.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tuopin import measures as m

TOL = 1e-12
ALPHAS = (0, 0.5, 1, 2, 3)

income = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_subnormal=False))
positive_income = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_subnormal=False)
incomes = st.lists(income, min_size=1, max_size=30)
positive_incomes = st.lists(positive_income, min_size=1, max_size=30)
line = st.floats(min_value=1, max_value=1e5, allow_nan=False)
deprivation_matrices = st.integers(1, 12).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda d: st.lists(st.lists(st.booleans(), min_size=d, max_size=d), min_size=n, max_size=n)
    )
)
shares_k = st.floats(min_value=0.01, max_value=1.0)


def _has_positive_total(ys: list[float]) -> bool:
    return sum(ys) > 0


# --- poverty -----------------------------------------------------------------------------------------


@given(positive_incomes, line, st.data())
def test_monotonicity_lowering_a_poor_income(ys, z, data):
    poor = [i for i, y in enumerate(ys) if y < z]
    assume(poor)
    i = data.draw(st.sampled_from(poor))
    factor = data.draw(st.floats(min_value=0.01, max_value=1.0))
    lower = list(ys)
    lower[i] = max(0.01, ys[i] * factor)  # stays positive so Watts is defined
    assert m.headcount(lower, z) == m.headcount(ys, z)
    for fn in (m.poverty_gap, m.squared_gap, m.watts, m.sen, m.sst):
        assert fn(lower, z) >= fn(ys, z) - TOL, fn.__name__


@given(incomes, line, st.data())
def test_focus_axiom(ys, z, data):
    nonpoor = [i for i, y in enumerate(ys) if y >= z]
    assume(nonpoor)
    i = data.draw(st.sampled_from(nonpoor))
    changed = list(ys)
    changed[i] = data.draw(st.floats(min_value=z, max_value=1e7))
    for alpha in ALPHAS:
        # Non-poor contribute exactly 0 either way, so the result is bit-for-bit the same.
        assert m.fgt(changed, z, alpha) == m.fgt(ys, z, alpha)


@given(incomes, line)
def test_fgt_ordering_and_range(ys, z):
    p0, p1, p2 = m.headcount(ys, z), m.poverty_gap(ys, z), m.squared_gap(ys, z)
    assert 0 <= p2 <= p1 + TOL
    assert p1 <= p0 + TOL
    assert p0 <= 1
    assert 0 <= m.sen(ys, z) <= p0 + TOL
    assert p1 - TOL <= m.sst(ys, z) <= 2 * p1 + TOL


@given(positive_incomes, line, st.integers(2, 4))
def test_replication_invariance_poverty(ys, z, copies):
    rep = ys * copies
    for alpha in ALPHAS:
        assert m.fgt(rep, z, alpha) == pytest.approx(m.fgt(ys, z, alpha), rel=1e-9, abs=TOL)
    for fn in (m.watts, m.sen, m.sst):
        assert fn(rep, z) == pytest.approx(fn(ys, z), rel=1e-9, abs=TOL), fn.__name__


@given(st.lists(st.tuples(positive_income, st.integers(0, 4)), min_size=1, max_size=15), line)
def test_integer_weights_equal_replication(pairs, z):
    ys = [y for y, _ in pairs]
    ws = [w for _, w in pairs]
    assume(sum(ws) > 0)
    rep = np.repeat(ys, ws)
    for fn in (m.headcount, m.poverty_gap, m.squared_gap, m.watts, m.sen, m.sst):
        assert fn(ys, z, ws) == pytest.approx(fn(rep, z), rel=1e-9, abs=TOL), fn.__name__
    for fn in (m.gini, m.theil_t, m.theil_l):
        assert fn(ys, ws) == pytest.approx(fn(rep), rel=1e-9, abs=1e-9), fn.__name__
    assert m.quintile_shares(ys, ws) == pytest.approx(m.quintile_shares(rep), abs=1e-9)


# --- inequality ---------------------------------------------------------------------------------------


@given(incomes)
def test_gini_range(ys):
    assume(_has_positive_total(ys))
    g = m.gini(ys)
    assert 0 <= g < 1
    assert g <= (len(ys) - 1) / len(ys) + TOL


@given(incomes, st.integers(2, 4))
def test_replication_invariance_inequality(ys, copies):
    assume(_has_positive_total(ys))
    rep = ys * copies
    assert m.gini(rep) == pytest.approx(m.gini(ys), rel=1e-9, abs=1e-12)
    assert m.theil_t(rep) == pytest.approx(m.theil_t(ys), rel=1e-9, abs=1e-12)
    assert m.quintile_shares(rep) == pytest.approx(m.quintile_shares(ys), abs=1e-9)


@given(positive_incomes, st.integers(2, 4))
def test_replication_invariance_theil_l(ys, copies):
    assert m.theil_l(ys * copies) == pytest.approx(m.theil_l(ys), rel=1e-9, abs=1e-12)


@given(positive_incomes, st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(ys, c):
    scaled = [y * c for y in ys]
    for fn in (m.gini, m.theil_t, m.theil_l):
        assert fn(scaled) == pytest.approx(fn(ys), rel=1e-8, abs=1e-10), fn.__name__


@given(incomes)
def test_quintile_shares_are_ordered_and_sum_to_one(ys):
    assume(_has_positive_total(ys))
    shares = m.quintile_shares(ys)
    assert shares.sum() == pytest.approx(1.0)
    assert (shares >= -TOL).all()
    assert (np.diff(shares) >= -1e-9).all()  # poorest fifth never holds more than the next


# --- Alkire–Foster -------------------------------------------------------------------------------------


@given(deprivation_matrices, shares_k)
def test_af_identities(g0, k):
    r = m.alkire_foster(g0, k=k)
    h, a, m0 = r.H, r.A, r.M0
    assert m0 == pytest.approx(h * a, abs=TOL)
    assert m0 <= h + TOL
    assert 0 <= a <= 1 + TOL
    assert (r.censored_headcounts <= r.uncensored_headcounts + TOL).all()
    assert m0 == pytest.approx(float(np.dot(r.weights, r.censored_headcounts)), abs=TOL)
    if m0 > 0:
        assert r.contributions.sum() == pytest.approx(100.0)
        assert a >= k - 1e-9  # every poor person's score reaches k
    else:
        assert (r.contributions == 0).all()


@given(deprivation_matrices, st.lists(shares_k, min_size=2, max_size=4))
def test_af_m0_non_decreasing_as_k_falls(g0, ks):
    m0s = [m.alkire_foster(g0, k=k).M0 for k in sorted(ks, reverse=True)]
    assert all(b >= a - TOL for a, b in zip(m0s, m0s[1:], strict=False))


@given(deprivation_matrices, shares_k, st.integers(2, 3))
def test_af_replication_invariance(g0, k, copies):
    base = m.alkire_foster(g0, k=k)
    rep = m.alkire_foster(g0 * copies, k=k)
    for field in ("H", "A", "M0"):
        assert getattr(rep, field) == pytest.approx(getattr(base, field), abs=TOL), field
    assert rep.contributions == pytest.approx(base.contributions, abs=1e-9)


@given(
    st.integers(1, 10).flatmap(
        lambda n: st.lists(st.lists(st.floats(0, 100), min_size=3, max_size=3), min_size=n, max_size=n)
    ),
    shares_k,
)
def test_af_gap_measures_ordered(x, k):
    r = m.alkire_foster(achievements=x, cutoffs=[50, 10, 1], k=k)
    assert r.M1 is not None and r.M2 is not None
    assert 0 <= r.M2 <= r.M1 + TOL
    assert r.M1 <= r.M0 + TOL
