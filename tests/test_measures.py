"""tuopin.measures against published worked examples and figures derived by hand in the comments.

Published: Haughton & Khandker (2009), *Handbook on Poverty and Inequality*, ch. 4 tables for P1 and
P2 ("country C", expenditures 100, 110, 150, 160, line 125). Everything else is derived by hand below
and labelled as such; nothing here is claimed as a published figure unless the comment says so.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tuopin import measures as m

HANDBOOK_Y = [100, 110, 150, 160]
HANDBOOK_Z = 125


def ham(r: m.AlkireFosterResult) -> tuple[float, float, float]:
    """(H, A, M0) as one tuple, so a single approx comparison checks all three."""
    return r.H, r.A, r.M0


def gap_measures(r: m.AlkireFosterResult) -> tuple[float | None, float | None]:
    """(M1, M2)."""
    return r.M1, r.M2


# ---------------------------------------------------------------------------------------------------
# FGT: Haughton & Khandker (2009) ch. 4, "Calculating the poverty gap index, assuming poverty line 125"
# ---------------------------------------------------------------------------------------------------


def test_handbook_fgt_example():
    # Published (Handbook ch. 4): gaps 25, 15, 0, 0; G/z = 0.20, 0.12, 0, 0.
    # P0 = 2/4 = 0.5
    # P1 = (0.20 + 0.12) / 4 = 0.32 / 4 = 0.08
    # P2 = (0.20² + 0.12²) / 4 = (0.04 + 0.0144) / 4 = 0.0544 / 4 = 0.0136
    assert m.headcount(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.5)
    assert m.poverty_gap(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.08)
    assert m.squared_gap(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.0136)
    assert m.fgt(HANDBOOK_Y, HANDBOOK_Z, alpha=1) == pytest.approx(0.08)


def test_fgt_fractional_alpha_and_strict_line():
    # Hand: α = 0.5 → (√0.2 + √0.12)/4. A person exactly at the line is not poor (y < z).
    assert m.fgt(HANDBOOK_Y, HANDBOOK_Z, 0.5) == pytest.approx((math.sqrt(0.2) + math.sqrt(0.12)) / 4)
    assert m.headcount([125, 200], 125) == 0.0
    assert m.headcount([0, 200], 125) == 0.5
    assert m.poverty_gap([0, 200], 125) == pytest.approx(0.5)  # zero income: gap ratio exactly 1


def test_watts_sen_sst_on_handbook_data():
    # Watts (hand): [ln(125/100) + ln(125/110)] / 4 = (0.2231436 + 0.1278334) / 4 = 0.0877442
    assert m.watts(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx((math.log(1.25) + math.log(125 / 110)) / 4)
    assert m.watts(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.0877442, abs=1e-7)
    # Sen (hand): poor {100, 110}, μ_p = 105, I = 1 − 105/125 = 0.16,
    # G_p = (|100−110| + |110−100|) / (2² · 2 · 105) = 20/840 = 1/42,
    # S = 0.5 · [0.16 + 0.84/42] = 0.5 · [0.16 + 0.02] = 0.09
    assert m.sen(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.09)
    # SST (hand): gap ratios (0.2, 0.12, 0, 0), P1 = 0.08; Σ_i Σ_j |g_i − g_j| = 2·(0.08 + 0.2·2 + 0.12·2)
    # = 1.44, G = 1.44 / (16 · 2 · 0.08) = 0.5625, SST = 0.08 · 1.5625 = 0.125
    assert m.sst(HANDBOOK_Y, HANDBOOK_Z) == pytest.approx(0.125)


def test_nobody_poor_everything_zero():
    for fn in (m.headcount, m.poverty_gap, m.squared_gap, m.watts, m.sen, m.sst):
        assert fn([200, 300], 100) == 0.0


def test_sen_all_poor_with_nothing_equals_headcount():
    # μ_p = 0 → I = 1 → S = P0 (G_p undefined but irrelevant).
    assert m.sen([0, 0, 500], 100) == pytest.approx(2 / 3)


def test_watts_rejects_zero_income_among_poor_but_not_among_nonpoor():
    with pytest.raises(ValueError, match="positive incomes"):
        m.watts([0, 200], 100)


# ---------------------------------------------------------------------------------------------------
# Inequality
# ---------------------------------------------------------------------------------------------------


def test_gini_known_distribution():
    # Hand: Σ_i Σ_j |y_i − y_j| for 1..5 = 2 · (1·4 + 2·3 + 3·2 + 4·1) = 40; mean abs difference
    # = 40 / 25 = 1.6; G = 1.6 / (2 · 3) = 0.26667 (population formula).
    assert m.gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert m.gini([5, 3, 1, 4, 2]) == pytest.approx(4 / 15)  # order does not matter


@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_gini_extremes(n):
    assert m.gini([42.0] * n) == pytest.approx(0.0, abs=1e-12)
    # One person has everything: G = (n − 1)/n.
    assert m.gini([0.0] * (n - 1) + [1.0]) == pytest.approx((n - 1) / n)


def test_gini_matches_pairwise_definition_with_weights():
    rng = np.random.default_rng(7)
    y = rng.lognormal(8, 1, 40).round(-1)  # rounding creates ties
    w = rng.integers(1, 5, 40).astype(float)
    pairwise = np.sum(np.outer(w, w) * np.abs(y[:, None] - y[None, :])) / (2 * w.sum() ** 2 * np.average(y, weights=w))
    assert m.gini(y, w) == pytest.approx(pairwise)


def test_theil_known_values():
    # Hand, y = (1, 3), μ = 2:
    # T = ½[(½) ln ½ + (3/2) ln(3/2)] = ½[−0.346574 + 0.608198] = 0.130812
    # L = ½[ln(2/1) + ln(2/3)] = ½ ln(4/3) = 0.143841
    assert m.theil_t([1, 3]) == pytest.approx(0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5)))
    assert m.theil_t([1, 3]) == pytest.approx(0.130812, abs=1e-6)
    assert m.theil_l([1, 3]) == pytest.approx(0.5 * math.log(4 / 3))
    assert m.theil_t([7.5] * 9) == pytest.approx(0.0, abs=1e-12)
    assert m.theil_l([7.5] * 9) == pytest.approx(0.0, abs=1e-12)
    # One of n has everything: T = ln n (0·ln 0 = 0).
    assert m.theil_t([0, 0, 0, 10]) == pytest.approx(math.log(4))


def test_theil_l_rejects_zero_income():
    with pytest.raises(ValueError, match="strictly positive"):
        m.theil_l([0, 1])


def test_quintile_shares():
    # Five people: each is exactly one quintile → shares y / 15.
    assert m.quintile_shares([1, 2, 3, 4, 5]) == pytest.approx(np.arange(1, 6) / 15)
    # Hand, y = (1, 3), each half the population, total 4: Q1, Q2 are 0.4 of person 1 → 0.4/4 = 0.1;
    # Q3 straddles: 0.2·1 + 0.2·3 = 0.8 → 0.2; Q4, Q5 are 0.4 of person 2 → 1.2/4 = 0.3.
    assert m.quintile_shares([3, 1]) == pytest.approx([0.1, 0.1, 0.2, 0.3, 0.3])
    shares = m.decile_shares(np.arange(1, 101))
    assert shares.sum() == pytest.approx(1.0)
    assert np.all(np.diff(shares) > 0)
    assert m.quantile_shares([1, 1, 1], 4) == pytest.approx([0.25] * 4)  # ties split proportionally


def test_lorenz_endpoints():
    p, share = m.lorenz([3, 1, 2], [1, 2, 1])
    assert p[0] == share[0] == 0.0
    assert p[-1] == share[-1] == 1.0
    assert p == pytest.approx([0, 0.5, 0.75, 1.0])
    assert share == pytest.approx([0, 2 / 7, 4 / 7, 1.0])


def test_weighted_quantile():
    assert m.weighted_quantile([4, 1, 3, 2], 0.5) == pytest.approx(np.median([1, 2, 3, 4]))
    assert m.weighted_quantile([1, 2, 3], 0.5) == 2
    assert m.weighted_quantile([1, 2, 3], 0.5, [1, 1, 5]) == 3
    assert m.weighted_quantile([1, 2], 0.5, [3, 3]) == m.weighted_quantile([1, 1, 1, 2, 2, 2], 0.5)
    assert m.weighted_quantile([1, 2, 3], 0.0) == 1
    assert m.weighted_quantile([1, 2, 3], 1.0) == 3


def test_income_distribution_summary():
    d = m.IncomeDistribution.from_incomes(HANDBOOK_Y, line=HANDBOOK_Z)
    assert d.observations == 4
    assert d.mean == pytest.approx(130)
    assert d.median == pytest.approx(130)
    assert d.headcount == pytest.approx(0.5)
    assert d.poverty_gap == pytest.approx(0.08)
    assert d.quintile_shares.sum() == pytest.approx(1.0)
    assert m.IncomeDistribution.from_incomes(HANDBOOK_Y).headcount is None


# ---------------------------------------------------------------------------------------------------
# Weights act as replication, for every weighted measure
# ---------------------------------------------------------------------------------------------------

WEIGHTED = {
    "P0": lambda y, w: m.headcount(y, 125, w),
    "P1": lambda y, w: m.poverty_gap(y, 125, w),
    "P2": lambda y, w: m.squared_gap(y, 125, w),
    "P0.5": lambda y, w: m.fgt(y, 125, 0.5, w),
    "watts": lambda y, w: m.watts(y, 125, w),
    "sen": lambda y, w: m.sen(y, 125, w),
    "sst": lambda y, w: m.sst(y, 125, w),
    "gini": m.gini,
    "theil_t": m.theil_t,
    "theil_l": m.theil_l,
    "quintiles": m.quintile_shares,
    "deciles": m.decile_shares,
    "median": lambda y, w: m.weighted_quantile(y, 0.5, w),
}


@pytest.mark.parametrize("name", WEIGHTED)
def test_weights_equal_replication(name):
    fn = WEIGHTED[name]
    assert fn([100, 150], [2, 1]) == pytest.approx(fn([100, 100, 150], None))
    y, w = [90, 100, 110, 130, 200, 60], [3, 1, 2, 1, 4, 2]
    assert fn(y, w) == pytest.approx(fn(np.repeat(y, w), None))
    # A zero-weight record represents nobody.
    assert fn([*y, 5], [*w, 0]) == pytest.approx(fn(y, w))


# ---------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: m.fgt([], 100), "empty"),
        (lambda: m.fgt([1, float("nan")], 100), "NaN"),
        (lambda: m.fgt([1, float("inf")], 100), "infinite"),
        (lambda: m.fgt([1, -2], 100), "non-negative"),
        (lambda: m.fgt([1, 2], 0), "positive"),
        (lambda: m.fgt([1, 2], -5), "positive"),
        (lambda: m.fgt([1, 2], float("nan")), "finite"),
        (lambda: m.fgt([1, 2], 100, alpha=-1), "alpha"),
        (lambda: m.fgt([1, 2], 100, weights=[1, -1]), "non-negative"),
        (lambda: m.fgt([1, 2], 100, weights=[0, 0]), "sum to zero"),
        (lambda: m.fgt([1, 2], 100, weights=[1]), "observations"),
        (lambda: m.fgt([[1, 2]], 100), "one-dimensional"),
        (lambda: m.fgt(["a"], 100), "numeric"),
        (lambda: m.gini([0, 0]), "mean income is zero"),
        (lambda: m.gini([1, float("nan")]), "NaN"),
        (lambda: m.quantile_shares([1, 2], 0), "positive integer"),
        (lambda: m.weighted_quantile([1, 2], 1.5), "q must be"),
    ],
)
def test_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------------------------------
# Alkire–Foster
# ---------------------------------------------------------------------------------------------------

# The 4 × 4 layout of Alkire & Foster (2011, J. Public Econ. 95, §2) as recalled (income, years of
# schooling, self-rated health, access to water; z = (13, 12, 3, 1)). The matrix was NOT checked
# against the paper here, so every figure below is derived by hand, not quoted.
AF2011_X = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]]
AF2011_Z = [13, 12, 3, 1]


def test_af2011_layout_hand_derived():
    # Deprivations (x < z):  p1 0000 → 0;  p2 0101 → 2;  p3 1111 → 4;  p4 0100 → 1.
    # k = 2/4: poor = p2, p3.  H = 2/4 = 0.5;  A = (2/4 + 4/4)/2 = 0.75;  M0 = 6/16 = 0.375.
    r = m.alkire_foster(achievements=AF2011_X, cutoffs=AF2011_Z, k=0.5)
    assert r.poor.tolist() == [False, True, True, False]
    assert r.scores == pytest.approx([0, 0.5, 1.0, 0.25])
    assert ham(r) == pytest.approx((0.5, 0.75, 0.375))
    # Censored gaps: p2 schooling 5/12, water 1; p3 income 0.5/13, schooling 2/12, health 2/3, water 1.
    # M1 = (5/12 + 1 + 1/26 + 1/6 + 2/3 + 1) / 16 = 3.2884615 / 16 = 0.2055288
    # M2 = (25/144 + 1 + 1/676 + 1/36 + 4/9 + 1) / 16 = 2.6473126 / 16 = 0.1654570
    assert gap_measures(r) == pytest.approx(
        (
            (5 / 12 + 1 + 1 / 26 + 1 / 6 + 2 / 3 + 1) / 16,
            ((5 / 12) ** 2 + 1 + (1 / 26) ** 2 + (1 / 6) ** 2 + (2 / 3) ** 2 + 1) / 16,
        )
    )
    # Censored headcounts: income p3; schooling p2, p3; health p3; water p2, p3 → (1, 2, 1, 2)/4.
    assert r.censored_headcounts == pytest.approx([0.25, 0.5, 0.25, 0.5])
    # Uncensored: schooling also counts p4 → (1, 3, 1, 2)/4.
    assert r.uncensored_headcounts == pytest.approx([0.25, 0.75, 0.25, 0.5])
    # Contributions: ¼·h_j / 0.375 → (1/6, 1/3, 1/6, 1/3) → percent.
    assert r.contributions == pytest.approx([100 / 6, 100 / 3, 100 / 6, 100 / 3])
    # k = 1/4 (union): p4 joins → H = 3/4, A = (2 + 4 + 1)/(3 · 4) = 7/12, M0 = 7/16.
    u = m.alkire_foster(achievements=AF2011_X, cutoffs=AF2011_Z, k=0.25)
    assert ham(u) == pytest.approx((0.75, 7 / 12, 7 / 16))
    # k = 1 (intersection): only p3 → H = 1/4, A = 1, M0 = 1/4.
    i = m.alkire_foster(achievements=AF2011_X, cutoffs=AF2011_Z, k=1)
    assert ham(i) == pytest.approx((0.25, 1.0, 0.25))


# The teaching matrix from the brief with cutoffs (500, 12, 3, 1) chosen here; all figures hand-derived.
BRIEF_X = [[700, 14, 4, 1], [300, 13, 1, 0], [400, 10, 3, 0], [800, 3, 1, 1]]
BRIEF_Z = [500, 12, 3, 1]


def test_brief_matrix_hand_derived():
    # Deprivations: p1 0000; p2 1011 (3/4); p3 1101 (3/4); p4 0110 (2/4).
    # k = 3/4: poor p2, p3 → H = 0.5, A = 0.75, M0 = 0.375.
    r = m.alkire_foster(achievements=BRIEF_X, cutoffs=BRIEF_Z, k=0.75)
    assert ham(r) == pytest.approx((0.5, 0.75, 0.375))
    assert r.censored_headcounts == pytest.approx([0.5, 0.25, 0.25, 0.5])
    assert r.uncensored_headcounts == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert r.contributions == pytest.approx([100 / 3, 100 / 6, 100 / 6, 100 / 3])
    # Gaps: p2 income 200/500 = 0.4, health 2/3, water 1; p3 income 0.2, schooling 1/6, water 1.
    # M1 = (0.4 + 2/3 + 1 + 0.2 + 1/6 + 1)/16 = (103/30)/16 = 103/480 = 0.2145833
    # M2 = (0.16 + 4/9 + 1 + 0.04 + 1/36 + 1)/16 = 2.6722222/16 = 0.1670139
    assert gap_measures(r) == pytest.approx((103 / 480, (0.16 + 4 / 9 + 1 + 0.04 + 1 / 36 + 1) / 16))
    # k = 2/4: p4 joins → H = 0.75, A = (3 + 3 + 2)/12 = 2/3, M0 = 0.5.
    r2 = m.alkire_foster(achievements=BRIEF_X, cutoffs=BRIEF_Z, k=0.5)
    assert ham(r2) == pytest.approx((0.75, 2 / 3, 0.5))


def test_af_unequal_weights_hand_derived():
    # Weights (3, 1, 1, 1) → (1/2, 1/6, 1/6, 1/6). Scores: p1 0; p2 ½+⅙+⅙ = 5/6; p3 ½+⅙+⅙ = 5/6;
    # p4 ⅙+⅙ = 1/3.
    # k = 1/3: p2, p3, p4 poor → H = 3/4, A = (5/6 + 5/6 + 1/3)/3 = 2/3, M0 = 1/2.
    r = m.alkire_foster(achievements=BRIEF_X, cutoffs=BRIEF_Z, k=1 / 3, weights=[3, 1, 1, 1])
    assert r.weights == pytest.approx([0.5, 1 / 6, 1 / 6, 1 / 6])
    assert ham(r) == pytest.approx((0.75, 2 / 3, 0.5))
    # k = 1/2: p2, p3 → H = 1/2, A = 5/6, M0 = 5/12; w·h = (¼, 1/24, 1/24, 1/12) → 60/10/10/20 %.
    r = m.alkire_foster(achievements=BRIEF_X, cutoffs=BRIEF_Z, k=0.5, weights=[3, 1, 1, 1])
    assert ham(r) == pytest.approx((0.5, 5 / 6, 5 / 12))
    assert r.contributions == pytest.approx([60, 10, 10, 20])


def test_af_deprivation_matrix_input_and_no_gaps():
    g0 = np.array([[0, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=bool)
    r = m.alkire_foster(g0, k=2 / 3)  # 2 of 3 dimensions; 1/3 + 1/3 must reach 2/3 despite rounding
    assert r.poor.tolist() == [False, True, True]
    assert r.M1 is None and r.M2 is None
    assert ham(r) == pytest.approx((2 / 3, 5 / 6, 5 / 9))


def test_af_nobody_poor():
    r = m.alkire_foster([[0, 0], [1, 0]], k=1)
    assert ham(r) == (0.0, 0.0, 0.0)
    assert r.contributions.tolist() == [0.0, 0.0]
    assert r.censored_headcounts.tolist() == [0.0, 0.0]
    assert r.uncensored_headcounts == pytest.approx([0.5, 0.0])
    r = m.alkire_foster(achievements=[[5, 5]], cutoffs=[1, 1], k=0.5)
    assert (r.H, r.A, r.M0, r.M1, r.M2) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_af_tiny_k_is_union_not_everyone():
    r = m.alkire_foster([[0, 0], [1, 0]], k=1e-12)
    assert r.poor.tolist() == [False, True]


def test_af_sample_weights_equal_replication():
    a = m.alkire_foster(achievements=BRIEF_X, cutoffs=BRIEF_Z, k=0.5, sample_weights=[1, 3, 1, 2])
    b = m.alkire_foster(achievements=np.repeat(BRIEF_X, [1, 3, 1, 2], axis=0), cutoffs=BRIEF_Z, k=0.5)
    for field in ("H", "A", "M0", "M1", "M2", "censored_headcounts", "uncensored_headcounts", "contributions"):
        assert getattr(a, field) == pytest.approx(getattr(b, field)), field


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0.5}, "either deprivations or achievements"),
        ({"deprivations": [[1, 0]], "achievements": [[1, 0]], "cutoffs": [1, 1], "k": 0.5}, "not both"),
        ({"deprivations": [[1, 0]]}, "k .* required"),
        ({"deprivations": [[1, 0]], "k": 0}, r"\(0, 1\]"),
        ({"deprivations": [[1, 0]], "k": 2}, "m/d"),
        ({"deprivations": [[1, 2]], "k": 0.5}, "0/1"),
        ({"deprivations": [1, 0], "k": 0.5}, "2-D"),
        ({"deprivations": np.zeros((0, 3)), "k": 0.5}, "empty"),
        ({"deprivations": [[1, float("nan")]], "k": 0.5}, "NaN"),
        ({"deprivations": [[1, 0]], "k": 0.5, "weights": [1]}, "dimensions"),
        ({"deprivations": [[1, 0]], "k": 0.5, "weights": [1, -1]}, "non-negative"),
        ({"deprivations": [[1, 0]], "k": 0.5, "sample_weights": [-1]}, "non-negative"),
        ({"deprivations": [[1, 0]], "k": 0.5, "cutoffs": [1, 1]}, "cutoffs only apply"),
        ({"achievements": [[1, 0]], "k": 0.5}, "need cutoffs"),
        ({"achievements": [[1, 0]], "cutoffs": [1, 0], "k": 0.5}, "positive"),
        ({"achievements": [[1, 0]], "cutoffs": [1], "k": 0.5}, "dimensions"),
        ({"achievements": [[-1, 0]], "cutoffs": [1, 1], "k": 0.5}, "non-negative"),
    ],
)
def test_af_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        m.alkire_foster(**kwargs)
