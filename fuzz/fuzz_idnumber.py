"""R3 — coverage-guided fuzzing of the ID-number parsers (GB 11643), differential.

    .venv/bin/python fuzz/fuzz_idnumber.py -max_total_time=600 -rss_limit_mb=1024

Two parsers must agree: ``core.idnumber.parse_id_number`` (every form a clerk may type: 15 digits,
separators, lower-case x, full-width digits) and the import's fast path ``exchange.households.fast_id``
(plain 18-character numbers only, everything else sent to the first). For any text:

* ``parse_id_number`` returns a ``ParsedID`` or raises ``ValidationError`` — nothing else;
* what it accepts is 18 characters with a correct check digit, a real birth date not in the future, and the
  gender of the 17th digit; the default mask hides exactly the birth date;
* ``fast_id`` never raises, and whatever it accepts ``parse_id_number`` accepts with the same number,
  birth date and gender (the import and the forms can never disagree about a person).

Seeds: valid numbers of the synthetic city, legacy 15-digit ones, and near misses.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

_harness.setup_django(database=False)

with atheris.instrument_imports(include=["tuopin.core.idnumber", "tuopin.exchange.households", "stdnum"]):
    from tuopin.core.idnumber import mask_id, parse_id_number
    from tuopin.exchange.households import fast_id

from django.core.exceptions import ValidationError  # noqa: E402
from stdnum.cn import ric  # noqa: E402

TODAY = dt.date(2024, 6, 1)  # fixed: "not in the future" must not change under a long run


def seeds() -> dict[str, bytes]:
    body = "22042219600501001"
    valid = body + ric.calc_check_digit(body + "0")
    return {
        "valid": valid.encode(),
        "valid-x": b"11010519491231002X",
        "legacy15": b"220422600501001",
        "spaced": f"{valid[:6]} {valid[6:14]} {valid[14:]}".encode(),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in valid).encode(),
        "bad-check": (valid[:17] + ("0" if valid[17] != "0" else "1")).encode(),
        "feb30": b"22042219600230001X",
    }


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name atheris calls
    text = data.decode("utf-8", "replace")
    fast = fast_id(text, TODAY)
    try:
        parsed = parse_id_number(text, today=TODAY)
    except ValidationError:
        assert fast is None, f"fast path accepted what parse_id_number refuses: {text!r}"
        return
    n = parsed.number
    assert len(n) == 18 and n[:17].isdigit() and n[17] == ric.calc_check_digit(n), n
    assert parsed.birth_date <= TODAY and parsed.birth_date == ric.get_birth_date(n), n
    assert parsed.gender == ("1" if int(n[16]) % 2 else "2"), n
    assert mask_id(n) == n[:6] + "*" * 8 + n[-4:], n
    if fast is not None:
        assert fast == (parsed.number, parsed.birth_date, parsed.gender), (text, fast, parsed)


def main() -> None:
    corpus = _harness.corpus_dir("idnumber", seeds())
    atheris.Setup(_harness.libfuzzer_args(sys.argv, corpus), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
