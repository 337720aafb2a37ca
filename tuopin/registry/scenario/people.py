"""Households and members of one block, generated column-wise with numpy.

A household is drawn from a small set of Northeast-China templates (single elderly people,
elderly couples, a couple with a disabled adult child, grandparents raising a grandchild,
three-generation families …); members get ages consistent with their relation to the head,
a sex matching the relation, names, ethnicity, health and a status history for the household.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import params as p
from .geography import BlockGeography

# Member roles inside a template.
HEAD, SPOUSE, CHILD, ADULT_CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT = range(7)

# (size, probability within size, roles, head-age range in 2019, head male probability)
TEMPLATES = (
    (1, 0.80, (HEAD,), (60, 86), 0.45),
    (1, 0.20, (HEAD,), (45, 60), 0.65),
    (2, 0.70, (HEAD, SPOUSE), (55, 86), 0.85),
    (2, 0.20, (HEAD, ADULT_CHILD), (55, 83), 0.6),
    (2, 0.10, (HEAD, PARENT), (45, 61), 0.6),
    (3, 0.45, (HEAD, SPOUSE, CHILD), (45, 66), 0.85),
    (3, 0.30, (HEAD, SPOUSE, GRANDCHILD), (55, 79), 0.85),
    (3, 0.25, (HEAD, CHILD, GRANDCHILD), (55, 79), 0.55),
    (4, 0.50, (HEAD, SPOUSE, CHILD, CHILD), (45, 60), 0.85),
    (4, 0.50, (HEAD, SPOUSE, CHILD, GRANDCHILD), (55, 76), 0.85),
    (5, 1.00, (HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD), (55, 76), 0.85),
    (6, 1.00, (HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, GRANDCHILD), (55, 76), 0.85),
)
_T_SIZE = np.array([t[0] for t in TEMPLATES])
_T_ROLES = np.full((len(TEMPLATES), 6), -1)
for _i, _t in enumerate(TEMPLATES):
    _T_ROLES[_i, : len(_t[2])] = _t[2]
_T_AGE_LO = np.array([t[3][0] for t in TEMPLATES])
_T_AGE_HI = np.array([t[3][1] for t in TEMPLATES])
_T_MALE = np.array([t[4] for t in TEMPLATES])
# Templates whose CHILD is the parent of the GRANDCHILD (so an adult son with his own child).
_T_CHILD_IS_PARENT = np.array([GRANDCHILD in t[2] and CHILD in t[2] for t in TEMPLATES])

STATUS_POOR, STATUS_EXITED, STATUS_RELAPSED, STATUS_MONITORED = "poor", "exited", "relapsed", "monitored"


def _choice(rng: np.random.Generator, values, probs, n: int) -> np.ndarray:
    probs = np.asarray(probs, dtype=float)
    return np.asarray(values)[rng.choice(len(probs), n, p=probs / probs.sum())]


def _weighted(pairs) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([v for v, _ in pairs])
    w = np.array([w for _, w in pairs], dtype=float)
    return values, w / w.sum()


_SURNAMES, _SURNAME_P = _weighted(p.SURNAMES)
_K_SURNAMES, _K_SURNAME_P = _weighted(p.KOREAN_SURNAMES)


@dataclass
class Households:
    """Column arrays of one block's households (index = position in the block)."""

    n: int
    village: np.ndarray  # index into the block's villages
    group: np.ndarray
    template: np.ndarray
    ident_year: np.ndarray
    exit_year: np.ndarray  # 0 = never exited
    relapse_year: np.ndarray  # 0 = no relapse
    reexit_year: np.ndarray  # 0 = no second exit
    monitored: np.ndarray  # bool: exited → monitored in 2019
    category: np.ndarray
    standard: np.ndarray
    main_cause: np.ndarray
    other1: np.ndarray
    other2: np.ndarray
    ethnicity: np.ndarray


@dataclass
class Members:
    """Column arrays of one block's members, grouped by household in order."""

    n: int
    household: np.ndarray  # index into the block's households
    role: np.ndarray
    relation: np.ndarray
    male: np.ndarray
    age2019: np.ndarray
    birth_day: np.ndarray  # days since ids.EPOCH
    birth_year: np.ndarray
    death_year: np.ndarray  # 0 = alive at the end of 2019
    ethnicity: np.ndarray
    name: list[str]
    health: np.ndarray  # '1'..'4'
    dis_cat: np.ndarray  # '' or '1'..'7'
    dis_grade: np.ndarray


def generate_households(rng: np.random.Generator, geo: BlockGeography) -> Households:
    """Households of a block: village, template, years, status path, category and causes."""
    n = int(geo.households.sum())
    village = np.repeat(np.arange(len(geo.codes)), geo.households)
    size = rng.choice(np.arange(1, 7), n, p=p.SIZE_P)
    template = np.empty(n, dtype=np.int64)
    for s in range(1, 7):
        idx = np.flatnonzero(size == s)
        cands = np.flatnonzero(s == _T_SIZE)
        probs = np.array([TEMPLATES[c][1] for c in cands])
        template[idx] = rng.choice(cands, len(idx), p=probs / probs.sum())

    years = np.array(list(p.IDENT_YEAR_P))
    ident = _choice(rng, years, list(p.IDENT_YEAR_P.values()), n)
    exit_choice = _choice(rng, list(p.EXIT_YEAR_P), list(p.EXIT_YEAR_P.values()), n)
    # An exit comes at least a year after identification; late identifications exit later or not yet.
    exit_year = np.where(exit_choice == 0, 0, np.maximum(exit_choice, ident + 1))
    exit_year = np.where(exit_year > p.LAST_YEAR, 0, exit_year)
    exited = exit_year > 0
    relapse = exited & (exit_year <= p.LAST_YEAR - 1) & (rng.random(n) < p.RELAPSE_P / 0.75)
    relapse_year = np.where(relapse, exit_year + 1 + rng.integers(0, 2, n), 0)
    relapse_year = np.where(relapse_year > p.LAST_YEAR, p.LAST_YEAR, relapse_year)
    reexit = relapse & (relapse_year < p.LAST_YEAR) & (rng.random(n) < 0.5)
    reexit_year = np.where(reexit, relapse_year + 1, 0)
    monitored = exited & ~relapse & (exit_year <= p.LAST_YEAR - 1) & (rng.random(n) < p.MONITOR_P / 0.8)

    single_old = (template == 0) | (template == 1)
    r = rng.random(n)
    category = np.where(
        single_old & (r < 0.28),
        p.CATEGORY_TEKUN,
        np.where(r > 0.76, p.CATEGORY_DIBAO, p.CATEGORY_GENERAL),
    ).astype("U1")
    standard = np.where(rng.random(n) < 0.97, "1", "2")

    causes = np.array(list(p.MAIN_CAUSE_P))
    main = _choice(rng, causes, list(p.MAIN_CAUSE_P.values()), n)
    # 因学 needs a school-age child in the house; other households with that draw fall ill instead.
    has_young = np.isin(template, [5, 6, 7, 8, 9, 10, 11])
    main = np.where((main == "3") & ~has_young, "1", main)
    other_codes = np.array(list(p.OTHER_CAUSE_W))
    logw = np.log(np.array(list(p.OTHER_CAUSE_W.values())))
    keys = logw[None, :] + rng.gumbel(size=(n, len(other_codes)))
    keys[other_codes[None, :] == main[:, None]] = -np.inf
    top = np.argsort(-keys, axis=1)[:, :2]
    k = rng.choice(3, n, p=[0.3, 0.45, 0.25])
    other1 = np.where(k >= 1, other_codes[top[:, 0]], "")
    other2 = np.where(k >= 2, other_codes[top[:, 1]], "")

    sanhe = np.array([c.startswith(p.SANHE_TOWN) for c in geo.codes])[village]
    eth = np.where(
        sanhe,
        _choice(rng, p.ETHNICITY_CODES, p.ETHNICITY_SANHE, n),
        _choice(rng, p.ETHNICITY_CODES, p.ETHNICITY_DEFAULT, n),
    )
    group = rng.integers(1, 9, n)
    return Households(
        n, village, group, template, ident, exit_year, relapse_year, reexit_year, monitored,
        category, standard, main, other1, other2, eth,
    )  # fmt: skip


def _given(rng: np.random.Generator, n: int, male: np.ndarray, young: np.ndarray) -> list[str]:
    pools = {
        (True, False): p.GIVEN_MALE_OLD,
        (False, False): p.GIVEN_FEMALE_OLD,
        (True, True): p.GIVEN_MALE_YOUNG,
        (False, True): p.GIVEN_FEMALE_YOUNG,
    }
    first = np.empty(n, dtype="U1")
    second = np.empty(n, dtype="U1")
    for (m, y), pool in pools.items():
        idx = np.flatnonzero((male == m) & (young == y))
        chars = np.array(list(pool))
        first[idx] = chars[rng.integers(0, len(chars), len(idx))]
        second[idx] = chars[rng.integers(0, len(chars), len(idx))]
    two = rng.random(n) < 0.78
    second = np.where(two & (second != first), second, "")
    return np.char.add(first, second).tolist()


def _surnames(rng: np.random.Generator, n: int, korean: np.ndarray) -> np.ndarray:
    han = _SURNAMES[rng.choice(len(_SURNAMES), n, p=_SURNAME_P)]
    kor = _K_SURNAMES[rng.choice(len(_K_SURNAMES), n, p=_K_SURNAME_P)]
    return np.where(korean, kor, han)


def generate_members(rng: np.random.Generator, hh: Households) -> Members:
    """Members of the block's households, with ages, sexes, names, health and deaths."""
    tsize = _T_SIZE[hh.template]
    m_hh = np.repeat(np.arange(hh.n), tsize)
    slot = np.arange(len(m_hh)) - np.repeat(np.cumsum(tsize) - tsize, tsize)
    n = len(m_hh)
    tpl = hh.template[m_hh]
    role = _T_ROLES[tpl, slot]

    head_age = rng.integers(_T_AGE_LO[hh.template], _T_AGE_HI[hh.template])
    child_ref = head_age - rng.integers(22, 33, hh.n)  # the adult child who is a grandchild's parent
    a_head = head_age[m_hh]
    age = np.zeros(n, dtype=np.int64)
    age[role == HEAD] = a_head[role == HEAD]
    sp = role == SPOUSE
    age[sp] = np.clip(a_head[sp] + np.rint(rng.normal(-2, 2.5, sp.sum())).astype(int), 40, 92)
    ch = role == CHILD
    own = np.maximum(a_head - rng.integers(20, 37, n), 0)
    age[ch] = np.where(_T_CHILD_IS_PARENT[tpl[ch]], child_ref[m_hh[ch]], own[ch])
    ad = role == ADULT_CHILD
    age[ad] = np.maximum(a_head[ad] - rng.integers(22, 35, ad.sum()), 18)
    law = role == CHILD_IN_LAW
    age[law] = np.maximum(child_ref[m_hh[law]] + rng.integers(-3, 4, law.sum()), 20)
    gc = role == GRANDCHILD
    age[gc] = np.maximum(child_ref[m_hh[gc]] - rng.integers(20, 31, gc.sum()), 0)
    pa = role == PARENT
    age[pa] = np.minimum(a_head[pa] + rng.integers(22, 31, pa.sum()), 97)

    head_male = rng.random(hh.n) < _T_MALE[hh.template]
    male = rng.random(n) < 0.5
    male[role == HEAD] = head_male[m_hh[role == HEAD]]
    male[sp] = ~head_male[m_hh[sp]]
    in_law_parent = _T_CHILD_IS_PARENT[tpl] & (role == CHILD) & np.isin(tpl, [10, 11])
    male[in_law_parent] = True  # the son whose wife lives with the family
    male[law] = False
    male[pa] = rng.random(pa.sum()) < 0.3

    relation = np.full(n, "99", dtype="U2")
    relation[role == HEAD] = "01"
    relation[sp] = "02"
    relation[ch | ad] = np.where(male[ch | ad], "03", "04")
    relation[law] = "05"
    relation[gc] = np.where(male[gc], "07", "08")
    relation[pa] = np.where(male[pa], "11", "12")

    birth_year = p.LAST_YEAR - age
    # Day in the birth year; a 2019 baby is born before the end of the year.
    from .ids import EPOCH

    year_start = (np.array(birth_year - 1900, dtype="timedelta64[Y]") + np.datetime64("1900", "Y")).astype(
        "datetime64[D]"
    )
    birth_day = (year_start - EPOCH).astype(np.int64) + rng.integers(0, 365, n)

    # Deaths: some elderly spouses and parents die after the household was identified.
    ident = hh.ident_year[m_hh]
    can_die = ((role == SPOUSE) | (role == PARENT)) & (age >= 70) & (ident < p.LAST_YEAR)
    dies = can_die & (rng.random(n) < 0.14)
    death_year = np.where(dies, ident + 1 + np.floor(rng.random(n) * (p.LAST_YEAR - ident)).astype(int), 0)

    eth = hh.ethnicity[m_hh].copy()
    mixed = (role == SPOUSE) & (rng.random(n) < 0.1)
    eth[mixed] = "01"
    korean = hh.ethnicity == "10"
    family_surname = _surnames(rng, hh.n, korean)
    own_surname = _surnames(rng, n, korean[m_hh])
    # Children and grandchildren (through a son) carry the family surname; spouses, in-laws and
    # the head's parents' surname differ; a widowed head's children carry their late father's.
    same = (role == CHILD) | (role == ADULT_CHILD) | (role == GRANDCHILD) | ((role == PARENT) & male)
    surname = np.where(same, family_surname[m_hh], own_surname)
    surname[role == HEAD] = np.where(
        head_male[m_hh[role == HEAD]], family_surname[m_hh[role == HEAD]], own_surname[role == HEAD]
    )
    given = _given(rng, n, male, age < 30)
    names = np.char.add(surname, np.array(given)).tolist()

    health, dis_cat, dis_grade = _health(rng, hh, m_hh, role, age, tpl)
    return Members(
        n, m_hh, role, relation, male, age, birth_day, birth_year, death_year, eth, names, health, dis_cat, dis_grade
    )


def _health(rng, hh: Households, m_hh, role, age, tpl):
    """Health by age, made consistent with the household's main cause (因病 → an ill head, …)."""
    n = len(m_hh)
    r = rng.random(n)
    chronic_p = np.where(age >= 60, 0.40, np.where(age >= 18, 0.15, 0.02))
    serious_p = np.where(age >= 60, 0.10, np.where(age >= 18, 0.05, 0.01))
    health = np.where(r < serious_p, "3", np.where(r < serious_p + chronic_p, "2", "1")).astype("U1")
    disabled = rng.random(n) < np.where(age >= 18, 0.06, 0.025)
    main = hh.main_cause[m_hh]
    # The member a cause is about: the head, or the disabled adult child where there is one.
    focus = (role == HEAD) & ~np.isin(tpl, [3]) | (role == ADULT_CHILD)
    ill = focus & (main == "1") & (health == "1")
    health[ill] = np.where(rng.random(ill.sum()) < 0.6, "2", "3")
    disabled |= focus & (main == "2")
    health[disabled] = "4"
    cats = np.array(["4", "1", "2", "3", "5", "6", "7"])
    dis_cat = np.where(disabled, cats[rng.choice(7, n, p=[0.45, 0.12, 0.12, 0.03, 0.10, 0.10, 0.08])], "")
    grade = np.array(["1", "2", "3", "4"])[rng.choice(4, n, p=[0.10, 0.25, 0.30, 0.35])]
    dis_grade = np.where(disabled, grade, "")
    return health, dis_cat.astype("U1"), dis_grade.astype("U1")
