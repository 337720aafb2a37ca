"""The pluggable row-schema: columns, header recognition, column-wise value checks, problems per cell.

A row-schema (the household register here; programme records and bank return files later) names its
columns with their labels, synonyms and kind. :func:`bind_header` finds the header row and maps file
columns to keys; the ``*_column`` helpers validate a whole column at once through a per-distinct-value
cache (a code column of a million rows has a handful of distinct values, so it costs a dict lookup
per row), recording a Chinese problem per cell in a :class:`Problems` list. Nothing is guessed: a
value is accepted as a code, as its label or as a listed synonym; anything else is a problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tuopin.registry import validation as registry_validation

from .files import Table, normalise

__all__ = [
    "Column",
    "Problems",
    "Bound",
    "bind_header",
    "header_key",
    "national_names",
    "choice_lookup",
    "code_column",
    "bool_column",
]

_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_SPACES = re.compile(r"[\s_\-—:：*＊]+")


def header_key(text: str) -> str:
    """A header cell reduced for matching: NFKC, no bracketed unit ("（元）"), no spaces or stars."""
    text = normalise(str(text))
    return _SPACES.sub("", _BRACKETS.sub("", text)).lower()


@dataclass(frozen=True)
class Column:
    """One column of a row-schema: ``key`` in code, ``label`` as the national form prints it."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False

    def keys(self) -> set[str]:
        return {header_key(self.label), *(header_key(s) for s in self.synonyms)}


@dataclass
class Problems:
    """Problems found in a file: (data row index, column key, message); ``fatal`` ones stop the file."""

    items: list[tuple[int, str, str]] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)

    def add(self, index: int, key: str, message: str) -> None:
        self.items.append((index, key, message))

    def rows(self) -> set[int]:
        return {i for i, _k, _m in self.items}


@dataclass
class Bound:
    """A table bound to a schema: column key → list of cleaned strings, one per data row."""

    columns: dict[str, list[str]]
    rownums: list[int]
    header_rownum: int
    positions: dict[str, int]  # column key → 0-based column in the file (to mark cells)
    ignored: list[str]
    n: int


def bind_header(table: Table, columns: Iterable[Column], problems: Problems, *, scan: int = 10) -> Bound | None:
    """Find the header among the first ``scan`` rows (the one naming most columns), map it, and collect
    the data rows below it as columns. Blank rows are skipped and counted in the notes."""
    columns = list(columns)
    lookup: dict[str, str] = {}
    for col in columns:
        for k in col.keys():  # noqa: SIM118 - Column.keys() is a method of ours, not a dict
            lookup.setdefault(k, col.key)
    best, best_hits = -1, 0
    for i, row in enumerate(table.rows[:scan]):
        hits = len({lookup[header_key(c)] for c in row if header_key(c) in lookup})
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0 or best_hits < 2:
        problems.fatal.append(
            _("没有找到表头：前%(n)d行中没有可识别的列名（如%(examples)s）。请使用下载的模板。")
            % {"n": scan, "examples": "“户编号”“姓名”“公民身份号码”"}  # the form's Chinese headers
        )
        return None
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for j, cell in enumerate(table.rows[best]):
        key = lookup.get(header_key(cell))
        if key is None:
            if str(cell).strip():
                ignored.append(str(cell).strip())
            continue
        if key in positions:
            problems.fatal.append(
                _("列“%(a)s”出现了两次（第%(i)d列和第%(j)d列），无法判断以哪一列为准。")
                % {"a": cell, "i": positions[key] + 1, "j": j + 1}
            )
            continue
        positions[key] = j
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        problems.fatal.append(_("缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})
    width = len(table.rows[best])
    body, nums = table.rows[best + 1 :], table.rownums[best + 1 :]
    # Row-wise work in C (map, zip): a million rows must not cost a Python loop each.
    filled = list(map(bool, map(str.strip, map("".join, body))))
    blank = len(filled) - sum(filled)
    if blank:
        body = [row for row, keep in zip(body, filled, strict=True) if keep]
        nums = [num for num, keep in zip(nums, filled, strict=True) if keep]
    if body and min(map(len, body)) < width:
        body = [row if len(row) >= width else row + [""] * (width - len(row)) for row in body]
    if blank:
        table.notes.append(_("跳过空行%(n)d行。") % {"n": blank})
    if ignored:
        table.notes.append(_("以下列不在登记表格式中，已忽略：%(cols)s。") % {"cols": "、".join(ignored)})
    cols: dict[str, list[str]] = {}
    # Transpose once in C (zip: every row has at least ``width`` cells now), then normalise a column
    # in one pass when it is already NFKC (all ASCII, or checked on the whole column), else each
    # distinct value once: most columns (codes, villages, years) repeat a handful of values.
    transposed = list(zip(*body)) if body else []  # noqa: B905 - rows may be longer than the header
    for key, j in positions.items():
        column = transposed[j] if transposed else ()
        if all(map(str.isascii, column)) or unicodedata.is_normalized("NFKC", "\n".join(column)):
            # (a newline starts no composition: joined, each value is still checked on its own)
            cols[key] = list(map(str.strip, column))
        else:
            mapping = {v: normalise(v) for v in set(column)}
            cols[key] = [mapping[v] for v in column]
    # Cells the reader flagged (e.g. an ID stored as an Excel number) become problems on their rows.
    index_of = {num: i for i, num in enumerate(nums)}
    key_at = {j: k for k, j in positions.items()}
    for (ri, cj), message in table.bad_cells.items():
        num = table.rownums[ri] if ri < len(table.rownums) else -1
        if num in index_of and cj in key_at:
            problems.add(index_of[num], key_at[cj], message)
    return Bound(
        columns=cols,
        rownums=list(nums),
        header_rownum=table.rownums[best],
        positions=positions,
        ignored=ignored,
        n=len(body),
    )


def national_names(choices: type) -> list[tuple[str, str]]:
    """(code, name) of a code list as the national code tables spell it, in Chinese, whatever the
    language of the clerk's interface: files are in the national form's spelling."""
    with translation.override("zh-hans"):
        return [(code, str(label)) for code, label in choices.choices]


def choice_lookup(choices: type, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings → code: every code, every national name (NFKC, so full-width brackets match)
    and synonyms."""
    out: dict[str, str] = {}
    for code, label in national_names(choices):
        if code == "":
            continue
        out[code] = code
        out[normalise(label)] = code
        if code.isdigit() and len(code) == 2 and code.startswith("0"):
            out[code[1:]] = code  # "1" for "01": Excel drops leading zeros of codes
    for k, v in (extra or {}).items():
        out[normalise(k)] = v
    return out


def code_column(
    values: list[str],
    key: str,
    label: str,
    lookup: dict[str, str],
    problems: Problems,
    *,
    blank: str | None = None,
) -> list[str]:
    """Codes for a column; a blank becomes ``blank`` (or is a problem when ``blank`` is None).

    Once per distinct value: a million rows of a handful of spellings cost a handful of lookups and one
    C-level pass; only the rows of a refused spelling are visited to report them.
    """
    seen = {v: (blank if v == "" else lookup.get(v)) for v in set(values)}
    out = list(map(seen.__getitem__, values))
    refused = {v for v, code in seen.items() if code is None}
    if refused:
        for i, v in enumerate(values):
            if v in refused:
                out[i] = ""
                if v == "":
                    problems.add(i, key, _("请填写%(label)s。") % {"label": label})
                else:
                    problems.add(
                        i,
                        key,
                        _("%(label)s“%(v)s”不在国家代码表中（可填代码或名称）。") % {"label": label, "v": v[:30]},
                    )
    return out


# The registry's yes/no words, and the ones the register's insurance and benefit columns use.
TRUE_WORDS = {*registry_validation.TRUE_WORDS, "参加", "已参加", "享受"}
FALSE_WORDS = {*registry_validation.FALSE_WORDS, "未参加", "不享受", "未享受"}


def bool_column(
    values: list[str], key: str, label: str, problems: Problems, *, default: bool, words: dict[str, bool] | None = None
) -> list[bool]:
    """是/否 and their usual spellings (and ``words`` of this column); blank → ``default``; anything else
    is a problem (never guessed). Once per distinct value."""
    lookup = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False), **(words or {})}
    seen = {v: lookup.get(v.lower()) if v else default for v in set(values)}
    out = list(map(seen.__getitem__, values))
    if None in seen.values():
        for i, v in enumerate(values):
            if v and seen[v] is None:
                out[i] = default
                problems.add(
                    i,
                    key,
                    _("%(label)s应填“%(yes)s”或“%(no)s”，现为“%(v)s”。")
                    % {"label": label, "yes": "是", "no": "否", "v": v[:20]},
                )
    return out


def cached_column(values: list[str], key: str, convert: Callable[[str], Any], problems: Problems) -> list[Any]:
    """Apply ``convert`` (which raises ``ValidationError``) once per distinct value; problems per cell."""
    results: dict[str, tuple[Any, str | None]] = {}
    for v in set(values):
        try:
            results[v] = (convert(v), None)
        except ValidationError as exc:
            results[v] = (None, " ".join(exc.messages))
    if any(message for _x, message in results.values()):
        for i, v in enumerate(values):
            if results[v][1]:
                problems.add(i, key, results[v][1])
    return list(map({v: value for v, (value, _m) in results.items()}.__getitem__, values))


def int_range(label: str, low: int, high: int, *, blank: int | None = None) -> Callable[[str], int | None]:
    """A converter to an integer between ``low`` and ``high`` ("3.0" from Excel accepted)."""

    def convert(v: str) -> int | None:
        if v == "":
            if blank is None:
                raise ValidationError(_("请填写%(label)s。") % {"label": label})
            return blank
        try:
            d = Decimal(v)
            if d != d.to_integral_value():
                raise ValueError
            n = int(d)
        except (ArithmeticError, ValueError):
            raise ValidationError(_("%(label)s应为整数，现为“%(v)s”。") % {"label": label, "v": v[:20]}) from None
        if not low <= n <= high:
            raise ValidationError(
                _("%(label)s应在%(lo)d至%(hi)d之间，现为%(n)d。") % {"label": label, "lo": low, "hi": high, "n": n}
            )
        return n

    return convert
