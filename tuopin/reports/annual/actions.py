"""The one change the annual report makes: archiving (存档) a report with its checksum, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.geo.models import Region
from tuopin.policy.actions import in_chinese

from .archive import check_year, checksum
from .models import AnnualReportArchive
from .report import build_report

__all__ = ["freeze_annual_report"]


@transaction.atomic
def freeze_annual_report(*, actor: Any, region: Region, year: int, note: str = "") -> AnnualReportArchive:
    """Compute the report of ``region`` for ``year`` now and store it with its checksum (one audit row).

    ``actor`` must have the region in its jurisdiction; ``None`` is the system (the CLI without
    ``--user``).
    """
    if actor is not None:
        if not actor.can(Capability.EXPORT):
            raise PermissionDenied(_("您的角色无权存档报告。"))
        check_in_jurisdiction(actor, region.code)
    year = check_year(year)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("存档说明不能超过200字。")})
    report = build_report(region, year, user=actor)
    content = report.content()
    digest = checksum(content)
    run = report.run
    archive = AnnualReportArchive.objects.create(
        region=region,
        year=year,
        as_of=report.as_of,
        schema=content["schema"],
        content=content,
        sha256=digest,
        run=run,
        ruleset=run.ruleset if run is not None else None,
        note=note,
        created_by=actor,
        created_by_name=report.generated_by,
    )
    audit.record(
        actor,
        "reports.annual_freeze",
        obj=archive,
        summary=f"存档{region.name}{year}年度脱贫攻坚报告（SHA-256 {digest[:12]}…）",
        changes={
            "region": region.code,
            "year": year,
            "as_of": report.as_of.isoformat(),
            "sha256": digest,
            "schema": content["schema"],
            "run": run.pk if run is not None else None,
            "ruleset": in_chinese(lambda: run.ruleset.label) if run is not None else None,
            "figures": len(content["figures"]),
        },
    )
    return archive
