"""R3 — coverage-guided fuzzing (atheris/libFuzzer) of the import's parsers: bytes → cells → values.

    .venv/bin/python fuzz/fuzz_import.py -max_total_time=600 -rss_limit_mb=1024

Each input goes down the path an uploaded file takes in ``exchange.actions`` — ``check_upload`` (size,
magic bytes, zip directory, streamed entries), ``read_table`` (calamine or the CSV reader with encoding
detection), ``bind_header`` and ``households.validate_cells`` (every cell rule and cross-row rule, as village
A's clerk) — calling those functions as they are. The first byte chooses how the rest is read:

* raw CSV or raw .xlsx bytes (the seeds are the real import template and files in the national layout,
  so mutations start from well-formed workbooks and CSVs, UTF-8, GBK, with BOM, tab-separated);
* a structured file: the fuzzer picks the header (a permutation of the template's columns and their
  synonyms) and every cell (a real value for that column, a near miss, or arbitrary text) and the file
  is written as CSV or as .xlsx, so the cell rules are reached by far more inputs than byte mutation
  of a zip would get there.

Crash = any exception other than Django's ``ValidationError``; plus an oracle: every ID number the
validator accepts must also pass ``core.idnumber.parse_id_number``. Crashes land in var/fuzz/crashes/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

_harness.setup_django()

with atheris.instrument_imports(include=["tuopin.exchange", "tuopin.core.idnumber", "tuopin.registry.validation"]):
    from tuopin.exchange import files, households, schema
    from tuopin.exchange.households import TEMPLATE_EXAMPLE
    from tuopin.exchange.report import template_xlsx

import xlsxwriter  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from tuopin.core.idnumber import parse_id_number  # noqa: E402

RAW_CSV, RAW_XLSX, STRUCTURED = 0, 1, 2
SCRATCH = Path(tempfile.mkdtemp(prefix="tuopin-fuzz-files-"))
STATS: dict = {"inputs": 0, "refused": 0, "validated_rows": 0, "known_crashes": {}}


def _clerk():
    from tuopin.accounts.models import User
    from tuopin.geo.actions import create_region, load_reference_regions
    from tuopin.geo.models import Region

    load_reference_regions()
    town = Region.objects.get(code="220422101000")
    create_region(actor=None, parent=town, code="220422101201", name="大榆村", is_synthetic=True)
    create_region(actor=None, parent=town, code="220422101202", name="小榆村", is_synthetic=True)
    return User.objects.create(username="fuzz_clerk", role="clerk", jurisdiction_id="220422000000")


CLERK = _clerk()


def _id(seq: int, birth: str = "19600501", address: str = "220422") -> str:
    body = f"{address}{birth}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _rows(n: int = 3) -> list[list[str]]:
    """A header and ``n`` member rows of one household, as the template fills them."""
    cols = households.COLUMNS
    out = [[c.label for c in cols]]
    for k in range(n):
        row = dict(TEMPLATE_EXAMPLE)
        row.update(
            id_number=_id(k * 2 + 1, ["19600501", "19620308", "19900715"][k % 3]),
            name=f"王某{k}",
            relation=["户主", "配偶", "之子"][k % 3],
            gender=["男", "女", "男"][k % 3],
        )
        out.append([row.get(c.key, "") for c in cols])
    return out


def _csv(rows: list[list[str]], *, delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("贫困户登记表")
    for r, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.write_string(r, j, value)
    book.close()
    return buf.getvalue()


def seeds() -> dict[str, bytes]:
    rows = _rows()
    text = _csv(rows)
    return {
        "template.xlsx": bytes([RAW_XLSX]) + template_xlsx(),
        "family.xlsx": bytes([RAW_XLSX]) + _xlsx(rows),
        "family-utf8.csv": bytes([RAW_CSV]) + text.encode("utf-8"),
        "family-bom.csv": bytes([RAW_CSV]) + b"\xef\xbb\xbf" + text.encode("utf-8"),
        "family-gbk.csv": bytes([RAW_CSV]) + text.encode("gb18030"),
        "family-tab.csv": bytes([RAW_CSV]) + _csv(rows, delimiter="\t").encode("utf-8"),
        "structured": bytes([STRUCTURED]) + bytes(range(256)),
    }


# Values near the rules: blanks, full-width digits, codes by number and by name, dates, money edges.
NEAR = [
    "",
    " ",
    "０１",
    "1",
    "99",
    "是",
    "否",
    "Y",
    "N",
    "-1",
    "0",
    "1e9",
    "12000.005",
    "2013",
    "2100",
    "２０１９",
    "=1+1",
    "@SUM(A1)",
    "1960-02-30",
    "22042219600501001X",
    "22042219600501001x",
    "220422600501001",
    "2204221960050100",
    "\u3000",
    "\x00",
]


def _structured(fdp: atheris.FuzzedDataProvider) -> tuple[bytes, str]:
    cols = households.COLUMNS
    keep = [c for c in cols if c.required or fdp.ConsumeBool()]
    order = sorted(range(len(keep)), key=lambda _i: fdp.ConsumeIntInRange(0, 255))
    header = []
    for i in order:
        c = keep[i]
        names = [c.label, *c.synonyms]
        header.append(names[fdp.ConsumeIntInRange(0, len(names) - 1)])
    rows = [header]
    for _k in range(fdp.ConsumeIntInRange(1, 6)):
        row = []
        for i in order:
            c = keep[i]
            choice = fdp.ConsumeIntInRange(0, 3)
            if c.key == "id_number" and choice < 2:
                value = _id(fdp.ConsumeIntInRange(0, 999), f"19{fdp.ConsumeIntInRange(10, 99)}0101")
            elif choice == 0:
                value = TEMPLATE_EXAMPLE.get(c.key, "")
            elif choice == 1:
                value = NEAR[fdp.ConsumeIntInRange(0, len(NEAR) - 1)]
            else:
                value = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))
            row.append(value)
        rows.append(row)
    if fdp.ConsumeBool():
        return _xlsx(rows), "import.xlsx"
    encoding = ["utf-8", "utf-8-sig", "gb18030"][fdp.ConsumeIntInRange(0, 2)]
    return _csv(rows, delimiter=",\t"[fdp.ConsumeIntInRange(0, 1)]).encode(encoding, "replace"), "import.csv"


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name atheris calls
    if not data:
        return
    STATS["inputs"] += 1
    if STATS["inputs"] & (STATS["inputs"] - 1) == 0:  # at powers of two: libFuzzer exits without unwinding
        _harness.write_stats("import", STATS)
    mode, body = data[0] % 3, data[1:]
    if mode == STRUCTURED:
        body, name = _structured(atheris.FuzzedDataProvider(body))
    else:
        name = "import.xlsx" if mode == RAW_XLSX else "import.csv"
    path = SCRATCH / name
    path.write_bytes(body)
    try:
        kind = files.check_upload(path, name)
        table = files.read_table(path, kind)
        problems = schema.Problems()
        bound = schema.bind_header(table, households.COLUMNS, problems)
        if bound is None or problems.fatal:
            return
        plan = households.validate_cells(bound, problems, actor=CLERK)
    except ValidationError:
        STATS["refused"] += 1
        return
    except Exception as exc:
        key = _harness.known_crash(exc)
        if key is None:
            raise
        STATS["known_crashes"][key] = STATS["known_crashes"].get(key, 0) + 1
        return
    bad = problems.rows()
    today = dt.date.today()
    for i, number in enumerate(plan.ids):
        if number is not None and i not in bad:
            STATS["validated_rows"] += 1
            parsed = parse_id_number(number, today=today)  # raises (a crash) if the import let a bad one through
            assert parsed.number == number and parsed.birth_date == plan.births[i], (number, plan.births[i])


def main() -> None:
    corpus = _harness.corpus_dir("import", seeds())
    atheris.Setup(_harness.libfuzzer_args(sys.argv, corpus), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
