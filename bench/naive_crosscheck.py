"""The baseline for bench_crosscheck.py: the department cross-check as first written (kept verbatim
from the version measured at 82.4 s; only the ``address`` column added since is filled, with ""). Every row is hashed in the main process, all of them are
stored in ``exchange_departmentrow`` (two indexes, one foreign key) with COPY by ``write_row``, and
the hits are inserted with the database checking every foreign key. Same matching rules and result
as ``tuopin.exchange.crosscheck.run_department``, so the ratio measures the method."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from tuopin.core import audit
from tuopin.core.bulk import insert_rows
from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import mask_id, parse_id_number
from tuopin.exchange.crosscheck import DEPT_COLUMNS, NAME_THRESHOLD, _date, _require, _scope_sql, name_confidence
from tuopin.exchange.files import Limits, check_upload, read_table
from tuopin.exchange.households import fast_id
from tuopin.exchange.models import CrossCheckHit, CrossCheckRun, Department, DepartmentRow, HitRule
from tuopin.exchange.schema import Problems, bind_header


def run_department(*, actor: Any, path: Path, filename: str, department: str) -> CrossCheckRun:
    """Match a department's list against the current members inside the actor's jurisdiction."""
    prefix = _require(actor)
    if department not in Department.values:
        raise ValidationError("unknown department")
    started = time.perf_counter()
    kind = check_upload(path, filename, Limits.from_settings())
    table = read_table(path, kind)
    problems = Problems()
    bound = bind_header(table, DEPT_COLUMNS, problems, scan=10)
    if bound is None or ("id_number" not in bound.positions and not {"name", "birth_date"} <= set(bound.positions)):
        raise ValidationError("no ID column")
    import hashlib

    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()  # provenance of the list, as for imports
    today = timezone.localdate()
    cols, blank = bound.columns, [""] * bound.n
    ids, names, births, events, details = (
        cols.get(k, blank) for k in ("id_number", "name", "birth_date", "event_date", "detail")
    )
    with transaction.atomic():
        run = CrossCheckRun.objects.create(
            kind="department",
            department=department,
            filename=Path(filename).name[:255],
            file_hash=file_hash,
            operator=actor,
            region_code=actor.jurisdiction_id,
        )

        def rows():
            for i in range(bound.n):
                raw, h, m, birth = ids[i], "", "", _date(births[i]) if births[i] else None
                parsed = fast_id(raw, today) if raw else None
                if parsed is None and raw:
                    try:
                        p = parse_id_number(raw)
                        parsed = (p.number, p.birth_date, p.gender)
                    except ValidationError:
                        parsed = None  # an unusable number: fall back to name and birth date
                if parsed is not None:
                    h, m, birth = lookup_hash(parsed[0]), mask_id(parsed[0]), parsed[1]
                yield (
                    run.pk,
                    bound.rownums[i],
                    h,
                    m,
                    names[i][:64],
                    birth,
                    _date(events[i]) if events[i] else None,
                    details[i][:200],
                    "",
                )

        q = connection.ops.quote_name
        n = insert_rows(
            q(DepartmentRow._meta.db_table),
            [
                q(c)
                for c in (
                    "run_id",
                    "rownum",
                    "id_hash",
                    "id_mask",
                    "name",
                    "birth_date",
                    "event_date",
                    "detail",
                    "address",
                )
            ],
            rows(),
        )
        label = str(Department(department).label).split("：")[0]
        scope, params = _scope_sql(prefix, "h.village_id")
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO exchange_crosscheckhit (run_id, rule, household_id, member_id, region_code, method, confidence,"  # noqa: S608 - scope is built from digits by _scope_sql
                " source_rownum, detail, disposition, reason) "
                "SELECT d.run_id, %s, m.household_id, m.id, h.village_id, 'id', 1.00, d.rownum, "
                " substr(%s || d.detail, 1, 300), 'open', '' "
                "FROM exchange_departmentrow d JOIN registry_member m ON m.id_hash = d.id_hash AND m.is_current "
                f"JOIN registry_household h ON h.id = m.household_id WHERE d.run_id = %s AND d.id_hash <> '' AND {scope}",  # noqa: S608
                [HitRule.DEPARTMENT, f"{label}：", run.pk, *params],
            )
            by_id = cur.rowcount
            cur.execute(
                "SELECT d.rownum, d.name, d.detail, m.id, m.name, m.household_id, h.village_id "  # noqa: S608
                "FROM exchange_departmentrow d JOIN registry_member m ON m.birth_date = d.birth_date AND m.is_current "
                f"JOIN registry_household h ON h.id = m.household_id WHERE d.run_id = %s AND d.id_hash = '' AND {scope}",  # noqa: S608
                [run.pk, *params],
            )
            candidates = cur.fetchall()
        by_name = []
        for rownum, dname, detail, mid, mname, hid, village in candidates:
            conf = name_confidence(dname, mname)
            if conf >= NAME_THRESHOLD:
                by_name.append(
                    CrossCheckHit(
                        run=run,
                        rule=HitRule.DEPARTMENT,
                        household_id=hid,
                        member_id=mid,
                        region_code=village,
                        method="name_birth",
                        confidence=conf,
                        source_rownum=rownum,
                        detail=(f"{label}：{detail}（按姓名“{dname}”和出生日期匹配，无身份证号）")[:300],
                    )
                )
        CrossCheckHit.objects.bulk_create(by_name, batch_size=5000)
        run.rows, run.matched_by_id, run.matched_by_name = n, by_id, len(by_name)
        run.hits, run.status, run.seconds = by_id + len(by_name), "done", round(time.perf_counter() - started, 3)
        run.save()
        audit.record(
            actor,
            "crosscheck.run",
            obj=run,
            summary=f"{label}比对：{n}行，疑点{run.hits}个",
            changes={
                "file_hash": file_hash,
                "rows": n,
                "by_id": by_id,
                "by_name": len(by_name),
                "department": department,
            },
        )
    return run
