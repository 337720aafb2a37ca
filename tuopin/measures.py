"""Poverty and inequality measures: pure numpy, no Django, safe to call from pages, exports and tasks.

Unidimensional measures take a 1-D array of incomes (or consumption) per person, a positive poverty
line ``z`` and optional sampling/population ``weights``. A weight ``w`` counts as ``w`` identical
people, so integer weights give exactly the result of repeating the record (replication). Records
with weight 0 represent nobody and are dropped before any computation.

Conventions (fixed here so every page and export agrees):

* a person is poor when ``y < z`` (strict), as in Haughton & Khandker (2009) eq. 4.3;
* incomes must be finite and non-negative: losses (negative net farm income) must be bottom-coded to
  0 upstream, which keeps every normalised gap in [0, 1] and hence P2 ≤ P1 ≤ P0;
* inequality measures use the population (not the sample, n−1) formulas.

References
----------
* Foster, Greer & Thorbecke (1984), "A class of decomposable poverty measures", Econometrica 52(3).
* Haughton & Khandker (2009), *Handbook on Poverty and Inequality*, World Bank, ch. 4 (poverty) and
  ch. 6 (inequality).
* Watts (1968), "An economic definition of poverty", in Moynihan (ed.), *On Understanding Poverty*.
* Sen (1976), "Poverty: an ordinal approach to measurement", Econometrica 44(2).
* Shorrocks (1995), "Revisiting the Sen poverty index", Econometrica 63(5); Thon (1979).
* Theil (1967), *Economics and Information Theory*; Cowell (2011), *Measuring Inequality*, 3rd ed.
* Alkire & Foster (2011), "Counting and multidimensional poverty measurement", J. Public Econ. 95;
  Alkire, Foster, Seth, Santos, Roche & Ballon (2015), *Multidimensional Poverty Measurement and
  Analysis*, OUP, ch. 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "fgt",
    "headcount",
    "poverty_gap",
    "squared_gap",
    "watts",
    "sen",
    "sst",
    "gini",
    "theil_t",
    "theil_l",
    "lorenz",
    "quantile_shares",
    "quintile_shares",
    "decile_shares",
    "weighted_quantile",
    "IncomeDistribution",
    "AlkireFosterResult",
    "alkire_foster",
]

FloatArray = NDArray[np.float64]

# Deprivation scores are sums of float weights (e.g. 3 × 1/3); a score that is mathematically equal
# to k may land a few ulps below it, so identification compares against k minus this tolerance.
_K_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _as_float_vector(values: ArrayLike, name: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got {arr.ndim} dimensions)")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; drop or impute missing values first")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    return arr


def _sample_weights(weights: ArrayLike | None, n: int, name: str = "weights") -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = _as_float_vector(weights, name)
    if w.shape[0] != n:
        raise ValueError(f"{name} has {w.shape[0]} entries but there are {n} observations")
    if (w < 0).any():
        raise ValueError(f"{name} must be non-negative")
    if w.sum() <= 0:
        raise ValueError(f"{name} sum to zero: nobody is represented")
    return w


def _prepare(incomes: ArrayLike, weights: ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    """Validated (incomes, weights) with zero-weight records removed."""
    y = _as_float_vector(incomes, "incomes")
    if (y < 0).any():
        raise ValueError("incomes must be non-negative; bottom-code losses to 0 before measuring")
    w = _sample_weights(weights, y.shape[0])
    keep = w > 0
    return y[keep], w[keep]


def _check_line(line: float) -> float:
    try:
        z = float(line)
    except (TypeError, ValueError) as exc:
        raise ValueError("poverty line must be a number") from exc
    if math.isnan(z) or math.isinf(z):
        raise ValueError("poverty line must be finite")
    if z <= 0:
        raise ValueError(f"poverty line must be positive (got {z})")
    return z


def _wmean(x: FloatArray, w: FloatArray) -> float:
    return float(np.dot(w, x) / w.sum())


def _positive_mean(y: FloatArray, w: FloatArray) -> float:
    mu = _wmean(y, w)
    if mu <= 0:
        raise ValueError("mean income is zero; inequality is undefined")
    return mu


def _gini_core(y: FloatArray, w: FloatArray) -> float:
    """Weighted population Gini of validated, non-negative data with a positive total."""
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    # Each record occupies the population interval [C_i, C_i + w_i]; its midpoint rank makes the
    # O(n log n) sum equal to the O(n²) pairwise definition, ties included (tied pairs add 0).
    below = np.cumsum(ws) - ws
    total_w = ws.sum()
    total_y = np.dot(ws, ys)
    g = 2.0 * np.dot(ws * ys, below + ws / 2.0) / (total_w * total_y) - 1.0
    # Rounding can leave -1e-16 for equal incomes; the measure itself is never negative.
    return max(0.0, float(g))


# --------------------------------------------------------------------------------------------------
# FGT family and other unidimensional poverty measures
# --------------------------------------------------------------------------------------------------


def fgt(incomes: ArrayLike, line: float, alpha: float = 0, weights: ArrayLike | None = None) -> float:
    """Foster–Greer–Thorbecke poverty measure P_alpha.

    ``P_α = Σ_i w_i · ((z − y_i)/z)^α · 1[y_i < z] / Σ_i w_i``

    α = 0 is the headcount ratio, α = 1 the poverty gap index, α = 2 the squared gap (severity);
    larger α weights the poorest more. Any real α ≥ 0 is accepted.
    Reference: Foster, Greer & Thorbecke (1984); Haughton & Khandker (2009) eq. 4.6.

    Raises ``ValueError`` for empty input, NaN/inf, negative incomes or weights, a non-positive line
    or a negative α.
    """
    y, w = _prepare(incomes, weights)
    z = _check_line(line)
    try:
        a = float(alpha)
    except (TypeError, ValueError) as exc:
        raise ValueError("alpha must be a number") from exc
    if not math.isfinite(a) or a < 0:
        raise ValueError(f"alpha must be a finite number ≥ 0 (got {alpha})")
    poor = y < z
    # Zero the gap of the non-poor before the power (a negative base with fractional alpha is NaN);
    # the outer where then keeps 0**0 == 1 away from them, so alpha = 0 needs no special case.
    gap = np.where(poor, (z - y) / z, 0.0)
    contrib = np.where(poor, gap**a, 0.0)
    return _wmean(contrib, w)


def headcount(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Headcount ratio P0 = share of the population with y < z (FGT α = 0).

    Reference: Haughton & Khandker (2009) ch. 4.
    """
    return fgt(incomes, line, 0, weights)


def poverty_gap(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Poverty gap index P1 = mean of (z − y)/z over the whole population, non-poor counted as 0.

    P1 · z is the per-capita transfer that would end poverty with perfect targeting.
    Reference: Haughton & Khandker (2009) eq. 4.4.
    """
    return fgt(incomes, line, 1, weights)


def squared_gap(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Squared poverty gap (severity) index P2 = mean of ((z − y)/z)² over the population, non-poor 0.

    Reference: Haughton & Khandker (2009) ch. 4; Foster, Greer & Thorbecke (1984).
    """
    return fgt(incomes, line, 2, weights)


def watts(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Watts index ``W = Σ_i w_i · ln(z / y_i) · 1[y_i < z] / Σ_i w_i``.

    Distribution-sensitive and decomposable; requires every poor person's income to be positive
    (ln(z/0) is infinite), raising ``ValueError`` otherwise.
    Reference: Watts (1968); Haughton & Khandker (2009) ch. 4.
    """
    y, w = _prepare(incomes, weights)
    z = _check_line(line)
    poor = y < z
    if (y[poor] <= 0).any():
        raise ValueError("Watts index needs positive incomes for the poor (ln(z/0) is infinite)")
    contrib = np.zeros_like(y)
    contrib[poor] = np.log(z / y[poor])
    return _wmean(contrib, w)


def sen(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Sen poverty index in its usual (large-q) formulation.

    ``S = P0 · [I + (1 − I) · G_p]  =  P0 · [1 − (μ_p / z) · (1 − G_p)]``

    where I = 1 − μ_p/z is the income-gap ratio, μ_p the mean income of the poor and G_p the
    (population) Gini coefficient among the poor. Sen's (1976) exact finite-sample form multiplies
    G_p by q/(q+1) (q = number of poor); that factor is dropped here, as in the Handbook, which makes
    the index replication invariant and lets weights act as replication. (Beware the transposed
    form P0·[G_p + (1 − G_p)·μ_p/z] sometimes quoted: it *rises* as the poor get richer.) For the continuous,
    replication-invariant Sen–Shorrocks–Thon variant see :func:`sst`. S = 0 when nobody is poor.
    Reference: Sen (1976); Haughton & Khandker (2009) ch. 4.
    """
    y, w = _prepare(incomes, weights)
    z = _check_line(line)
    poor = y < z
    if not poor.any():
        return 0.0
    p0 = float(w[poor].sum() / w.sum())
    yp, wp = y[poor], w[poor]
    mu_p = _wmean(yp, wp)
    if mu_p == 0:
        # Every poor person has nothing: I = 1, so S = P0 whatever G_p would be.
        return p0
    return p0 * (1.0 - (mu_p / z) * (1.0 - _gini_core(yp, wp)))


def sst(incomes: ArrayLike, line: float, weights: ArrayLike | None = None) -> float:
    """Sen–Shorrocks–Thon index ``SST = P0 · P1^p · (1 + G^p) = P1 · (1 + G^p)``.

    P1^p = P1/P0 is the mean poverty gap ratio among the poor and G^p the Gini coefficient of the
    poverty gap ratios ``max(0, (z − y)/z)`` over the *whole* population (non-poor have gap 0).
    SST = 0 when nobody is poor.
    Reference: Shorrocks (1995); Haughton & Khandker (2009) ch. 4.
    """
    y, w = _prepare(incomes, weights)
    z = _check_line(line)
    gaps = np.where(y < z, (z - y) / z, 0.0)
    p1 = _wmean(gaps, w)
    if p1 == 0:
        return 0.0
    return p1 * (1.0 + _gini_core(gaps, w))


# --------------------------------------------------------------------------------------------------
# Inequality
# --------------------------------------------------------------------------------------------------


def gini(incomes: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Gini coefficient (population formula): mean absolute difference over twice the mean.

    ``G = Σ_i Σ_j w_i w_j |y_i − y_j| / (2 · W² · μ)``,  W = Σ w,  μ = Σ w y / W.

    Equal incomes give 0; one person holding everything among n gives (n − 1)/n. Computed in
    O(n log n) by sorting. Incomes must be non-negative with a positive mean.
    Reference: Cowell (2011) ch. 2 and Technical Appendix; Haughton & Khandker (2009) ch. 6.
    """
    y, w = _prepare(incomes, weights)
    _positive_mean(y, w)
    return _gini_core(y, w)


def theil_t(incomes: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T index (GE(1)): ``T = Σ_i w_i (y_i/μ) ln(y_i/μ) / W``, with 0·ln 0 = 0.

    Zero incomes are allowed; the mean must be positive.
    Reference: Theil (1967); Haughton & Khandker (2009) ch. 6; Cowell (2011).
    """
    y, w = _prepare(incomes, weights)
    mu = _positive_mean(y, w)
    s = y / mu
    # 0·ln 0 is defined as its limit 0; the inner where keeps log() away from zeros.
    terms = np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0)
    return max(0.0, _wmean(terms, w))  # rounding can leave -1e-17 for equal incomes


def theil_l(incomes: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil L index / mean log deviation (GE(0)): ``L = Σ_i w_i ln(μ / y_i) / W``.

    Requires strictly positive incomes (ln(μ/0) is infinite).
    Reference: Theil (1967); Haughton & Khandker (2009) ch. 6; Cowell (2011).
    """
    y, w = _prepare(incomes, weights)
    if (y <= 0).any():
        raise ValueError("Theil L (mean log deviation) needs strictly positive incomes")
    mu = _positive_mean(y, w)
    return max(0.0, _wmean(np.log(mu / y), w))


def lorenz(incomes: ArrayLike, weights: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
    """Vertices of the (weighted) Lorenz curve: cumulative population share p and income share L(p).

    Sorted ascending, starting at (0, 0) and ending at (1, 1). Between vertices the curve is linear,
    because each record is a block of w_i people with the same income.
    Reference: Cowell (2011) ch. 2.
    """
    y, w = _prepare(incomes, weights)
    _positive_mean(y, w)
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    p = np.concatenate(([0.0], np.cumsum(ws) / ws.sum()))
    share = np.concatenate(([0.0], np.cumsum(ws * ys) / np.dot(ws, ys)))
    # Cumulative sums may end at 0.9999999999999999; the curve ends at (1, 1) by definition.
    p[-1] = 1.0
    share[-1] = 1.0
    return p, share


def quantile_shares(incomes: ArrayLike, groups: int, weights: ArrayLike | None = None) -> FloatArray:
    """Share of total income held by each of ``groups`` equal-sized population groups, poorest first.

    ``share_g = L(g/G) − L((g − 1)/G)`` on the piecewise-linear Lorenz curve of :func:`lorenz`.
    A record (or a set of tied records) straddling a group boundary is split in proportion to the
    population share falling on each side, so group sizes are exact even when n is not divisible by
    ``groups`` and weights act as replication. The shares sum to 1.
    Reference: Haughton & Khandker (2009) ch. 6; Cowell (2011) ch. 2.
    """
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
        raise ValueError(f"groups must be a positive integer (got {groups!r})")
    p, share = lorenz(incomes, weights)
    cuts = np.interp(np.linspace(0.0, 1.0, int(groups) + 1), p, share)
    return np.diff(cuts)


def quintile_shares(incomes: ArrayLike, weights: ArrayLike | None = None) -> FloatArray:
    """Income shares of the five population quintiles, poorest first (see :func:`quantile_shares`)."""
    return quantile_shares(incomes, 5, weights)


def decile_shares(incomes: ArrayLike, weights: ArrayLike | None = None) -> FloatArray:
    """Income shares of the ten population deciles, poorest first (see :func:`quantile_shares`)."""
    return quantile_shares(incomes, 10, weights)


def weighted_quantile(incomes: ArrayLike, q: float, weights: ArrayLike | None = None) -> float:
    """Quantile ``Q(q) = min{y : F(y) ≥ q}`` of the weighted distribution, averaging at exact steps.

    When F jumps exactly to q at some y_i, the result is the midpoint of y_i and the next income, so
    the unweighted median equals ``numpy.median`` and integer weights equal replication.
    Reference: Hyndman & Fan (1996), "Sample quantiles in statistical packages", definition 2.
    """
    y, w = _prepare(incomes, weights)
    qf = float(q)
    if not 0.0 <= qf <= 1.0:
        raise ValueError(f"q must be in [0, 1] (got {q})")
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws) / ws.sum()
    # Cumulative shares carry rounding error; treat q within 1e-12 of a step as sitting on it.
    eps = 1e-12
    i = min(int(np.searchsorted(cum, qf - eps, side="left")), ys.size - 1)
    if abs(cum[i] - qf) <= eps and i + 1 < ys.size:
        return float((ys[i] + ys[i + 1]) / 2.0)
    return float(ys[i])


@dataclass(frozen=True, eq=False)
class IncomeDistribution:
    """Summary of an income distribution for region pages: size, mean, median, Gini, Theil T, quintile
    shares and, when a poverty line is given, P0/P1/P2. Build with :meth:`from_incomes`."""

    observations: int
    population: float
    mean: float
    median: float
    gini: float
    theil_t: float
    quintile_shares: FloatArray
    line: float | None = None
    headcount: float | None = None
    poverty_gap: float | None = None
    squared_gap: float | None = None

    @classmethod
    def from_incomes(
        cls, incomes: ArrayLike, weights: ArrayLike | None = None, line: float | None = None
    ) -> IncomeDistribution:
        """Compute every field from raw incomes (same validation as the individual measures)."""
        y, w = _prepare(incomes, weights)
        poverty: dict[str, float | None] = {}
        if line is not None:
            poverty = {
                "line": _check_line(line),
                "headcount": fgt(y, line, 0, w),
                "poverty_gap": fgt(y, line, 1, w),
                "squared_gap": fgt(y, line, 2, w),
            }
        return cls(
            observations=int(y.size),
            population=float(w.sum()),
            mean=_wmean(y, w),
            median=weighted_quantile(y, 0.5, w),
            gini=gini(y, w),
            theil_t=theil_t(y, w),
            quintile_shares=quintile_shares(y, w),
            **poverty,
        )


# --------------------------------------------------------------------------------------------------
# Alkire–Foster multidimensional poverty
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AlkireFosterResult:
    """Outcome of :func:`alkire_foster`. Ratios are shares in [0, 1]; ``contributions`` are percent.

    Attributes
    ----------
    H: multidimensional headcount ratio (share of people identified as poor).
    A: intensity, the mean deprivation score among the poor (0 when nobody is poor).
    M0: adjusted headcount ratio, H × A.
    M1, M2: adjusted poverty gap and adjusted squared gap; ``None`` unless achievements were given.
    censored_headcounts: per dimension, share of people who are poor *and* deprived in it.
    uncensored_headcounts: per dimension, share of people deprived in it, poor or not.
    contributions: per dimension, percentage contribution w_j·h_j / M0 × 100 (all 0 when M0 = 0).
    poor: boolean identification vector, one entry per row of the input.
    scores: each person's (uncensored) weighted deprivation score c_i in [0, 1].
    k: the poverty cutoff used; weights: the normalised dimension weights (sum 1).
    """

    H: float
    A: float
    M0: float
    M1: float | None
    M2: float | None
    censored_headcounts: FloatArray
    uncensored_headcounts: FloatArray
    contributions: FloatArray
    poor: NDArray[np.bool_]
    scores: FloatArray
    k: float
    weights: FloatArray


def _matrix(values: ArrayLike, name: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (people × dimensions) matrix (got {arr.ndim} dimensions)")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; handle missing indicators before measuring")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    return arr


def alkire_foster(
    deprivations: ArrayLike | None = None,
    k: float | None = None,
    weights: ArrayLike | None = None,
    sample_weights: ArrayLike | None = None,
    *,
    achievements: ArrayLike | None = None,
    cutoffs: ArrayLike | None = None,
) -> AlkireFosterResult:
    """Alkire–Foster multidimensional poverty (dual-cutoff counting method).

    Input is either ``deprivations``, an (n × d) 0/1 or boolean matrix (1 = deprived), or
    ``achievements`` (n × d, non-negative, more is better) with ``cutoffs`` z_j > 0; then
    g⁰_ij = 1[x_ij < z_j] and the normalised gaps g_ij = max(0, (z_j − x_ij)/z_j) also give M1, M2.

    Dimension ``weights`` (default equal) are normalised to sum to 1, so each person's deprivation
    score ``c_i = Σ_j w_j g⁰_ij`` lies in [0, 1] and ``k`` is a *share* of the weighted total,
    0 < k ≤ 1 (the AF convention with weights summing to 1). Person i is poor iff c_i ≥ k: k at or
    below the smallest positive weight is the union approach, k = 1 the intersection approach. With
    equal weights, "deprived in at least m of d dimensions" is k = m/d. Scores within 1e-9 below k
    count as reaching it, so float sums like 3 × (1/3) match k = 1.

    With ``s`` the ``sample_weights`` (default 1) and ρ_i the identification indicator:
    ``H = Σ s_i ρ_i / Σ s_i``; ``A = Σ s_i ρ_i c_i / Σ s_i ρ_i`` (0 if nobody is poor);
    ``M_α = Σ_i s_i ρ_i Σ_j w_j g_ij^α / Σ s_i`` (M0 = H·A); censored headcount
    ``h_j = Σ s_i ρ_i g⁰_ij / Σ s_i`` and contribution ``w_j h_j / M0 × 100``.
    Reference: Alkire & Foster (2011) §2–3; Alkire et al. (2015) ch. 5.
    """
    if (deprivations is None) == (achievements is None):
        raise ValueError("give either deprivations or achievements (with cutoffs), not both or neither")
    gaps: FloatArray | None = None
    if deprivations is not None:
        if cutoffs is not None:
            raise ValueError("cutoffs only apply to achievements, not to a deprivation matrix")
        g0 = _matrix(deprivations, "deprivations")
        if not np.isin(g0, (0.0, 1.0)).all():
            raise ValueError("deprivations must contain only 0/1 (or booleans)")
    else:
        x = _matrix(achievements, "achievements")
        if (x < 0).any():
            raise ValueError("achievements must be non-negative")
        if cutoffs is None:
            raise ValueError("achievements need cutoffs (one deprivation cutoff per dimension)")
        z = _as_float_vector(cutoffs, "cutoffs")
        if z.shape[0] != x.shape[1]:
            raise ValueError(f"cutoffs has {z.shape[0]} entries but achievements has {x.shape[1]} dimensions")
        if (z <= 0).any():
            raise ValueError("cutoffs must be positive (normalised gaps divide by them)")
        deprived = x < z
        g0 = deprived.astype(np.float64)
        gaps = np.where(deprived, (z - x) / z, 0.0)
    n, d = g0.shape

    if weights is None:
        wd = np.full(d, 1.0 / d)
    else:
        wd = _as_float_vector(weights, "weights")
        if wd.shape[0] != d:
            raise ValueError(f"weights has {wd.shape[0]} entries but there are {d} dimensions")
        if (wd < 0).any():
            raise ValueError("weights must be non-negative")
        if wd.sum() <= 0:
            raise ValueError("weights sum to zero")
        wd = wd / wd.sum()

    if k is None:
        raise ValueError("k (poverty cutoff, a share in (0, 1]) is required")
    kf = float(k)
    if not (math.isfinite(kf) and 0 < kf <= 1):
        raise ValueError(f"k must be a share in (0, 1] of the weighted deprivations (got {k}); for m of d use m/d")

    s = _sample_weights(sample_weights, n, "sample_weights")
    total = s.sum()

    scores = g0 @ wd
    # scores > 0 as well: with a tiny k the tolerance must not make the never-deprived "poor".
    poor = (scores > 0) & (scores >= kf - _K_TOLERANCE)
    rho = poor.astype(np.float64)
    poor_mass = float(np.dot(s, rho))

    censored = g0 * rho[:, None]
    h_censored = (s @ censored) / total
    h_uncensored = (s @ g0) / total
    weighted_h = wd * h_censored

    H = float(poor_mass / total)
    M0 = float(np.dot(s, rho * scores) / total)
    # Nobody poor: A, M0 and every contribution are 0 by definition, not 0/0.
    A = float(np.dot(s, rho * scores) / poor_mass) if poor_mass > 0 else 0.0
    denom = weighted_h.sum()
    contributions = 100.0 * weighted_h / denom if denom > 0 else np.zeros(d)

    M1 = M2 = None
    if gaps is not None:
        cg = gaps * rho[:, None]
        M1 = float(s @ (cg @ wd) / total)
        M2 = float(s @ ((cg**2) @ wd) / total)

    return AlkireFosterResult(
        H=H,
        A=A,
        M0=M0,
        M1=M1,
        M2=M2,
        censored_headcounts=h_censored,
        uncensored_headcounts=h_uncensored,
        contributions=contributions,
        poor=poor,
        scores=scores,
        k=kf,
        weights=wd,
    )
