"""Changes to standards and rule sets. Each writes one audit row in its transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.scoping import user_prefix

from .definitions import DEFINITIONS, parse_value
from .models import Confidence, RuleSet, Standard

__all__ = [
    "add_standard",
    "replace_standard",
    "retire_standard",
    "freeze_ruleset",
    "load_standards",
    "dump_standards",
    "in_chinese",
    "ENGINE_VERSION",
]

# Bumped whenever the indicator logic in tuopin.assessment.engine changes meaning.
ENGINE_VERSION = "tuopin-assess-2"  # 2: claims over the self-pay cap fail 基本医疗; completed housing cases pass 住房
FILE_FORMAT = "tuopin-standards/1"


def in_chinese(text: Callable[[], str]) -> str:
    """A text worded in the site's language (Chinese) whatever the reader's: audit summaries are
    stored as written, and a rule set's label inside one would otherwise follow the actor's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return text()


def _require_policy_admin(actor: Any, region_prefix: str | None = None) -> None:
    """Standards are set by approvers for regions inside their jurisdiction; national and provincial
    files are loaded by the operator from the command line (actor None = the system)."""
    if actor is None:
        return
    if not actor.can(Capability.EDIT_STANDARDS):
        raise PermissionDenied(_("您的角色无权修改政策标准。"))
    own = user_prefix(actor)
    if region_prefix is not None and (own is None or not region_prefix.startswith(own)):
        raise PermissionDenied(_("只能维护本辖区（%(p)s）范围内的标准。") % {"p": own or "-"})


def _clean(name: str, region_prefix: str, effective_year: Any, value: Any) -> tuple[str, str, int, str]:
    if name not in DEFINITIONS:
        raise ValidationError({"name": _("未知的标准名称“%(n)s”。") % {"n": name}})
    prefix = str(region_prefix or "").strip()
    if prefix and not (prefix.isdigit() and len(prefix) in (2, 4, 6, 9, 12)):
        raise ValidationError({"region_prefix": _("地区代码前缀应为2、4、6、9或12位数字，留空表示全国。")})
    try:
        year = int(effective_year)
    except (TypeError, ValueError):
        raise ValidationError({"effective_year": _("请填写起始年度。")}) from None
    if not 2010 <= year <= 2100:
        raise ValidationError({"effective_year": _("起始年度不合理。")})
    parsed = parse_value(name, value)
    text = str(value).strip() if not isinstance(parsed, bool) else ("1" if parsed else "0")
    return name, prefix, year, text


@transaction.atomic
def add_standard(
    *,
    actor: Any,
    name: str,
    region_prefix: str,
    effective_year: int,
    value: Any,
    source: str = "",
    confidence: str = Confidence.TO_CONFIRM,
) -> Standard:
    """Add a standard; refused when an active one already exists for the same name, region and year."""
    name, prefix, year, text = _clean(name, region_prefix, effective_year, value)
    _require_policy_admin(actor, prefix)
    if Standard.objects.filter(name=name, region_prefix=prefix, effective_year=year, retired_at__isnull=True).exists():
        raise ValidationError(
            _("%(label)s在该地区%(year)d年已有取值：与其重叠，请修改原有标准而不是新增。")
            % {"label": DEFINITIONS[name].label, "year": year},
            code="overlap",
        )
    row = Standard.objects.create(
        name=name,
        region_prefix=prefix,
        effective_year=year,
        value=text,
        source=source[:300],
        confidence=confidence,
        created_by=getattr(actor, "username", "system"),
    )
    audit.record(actor, "standard.add", obj=row, summary=f"新增标准 {row}", changes={"value": text})
    return row


@transaction.atomic
def replace_standard(standard: Standard, *, actor: Any, value: Any, source: str = "", reason: str) -> Standard:
    """Change a standard's value: the old row is retired (kept as history) and a new one added."""
    old = Standard.objects.select_for_update().get(pk=standard.pk)
    _require_policy_admin(actor, old.region_prefix)
    if old.retired_at is not None:
        raise ValidationError(_("该标准已停用，不能再修改。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写修改原因。")})
    _n, _p, _y, text = _clean(old.name, old.region_prefix, old.effective_year, value)
    old.retired_at, old.retired_by = timezone.now(), getattr(actor, "username", "system")
    old.save(update_fields=["retired_at", "retired_by"])
    new = Standard.objects.create(
        name=old.name,
        region_prefix=old.region_prefix,
        effective_year=old.effective_year,
        value=text,
        source=(source or old.source)[:300],
        confidence=old.confidence,
        created_by=old.retired_by,
    )
    Standard.objects.filter(pk=old.pk).update(replaced_by=new)
    audit.record(
        actor,
        "standard.replace",
        obj=new,
        summary=f"修改标准 {new}：{reason.strip()[:100]}",
        changes={"value": [old.value, text]},
    )
    return new


@transaction.atomic
def retire_standard(standard: Standard, *, actor: Any, reason: str) -> Standard:
    """Withdraw a standard without replacement (it stays in the history)."""
    row = Standard.objects.select_for_update().get(pk=standard.pk)
    _require_policy_admin(actor, row.region_prefix)
    if row.retired_at is None:
        row.retired_at, row.retired_by = timezone.now(), getattr(actor, "username", "system")
        row.save(update_fields=["retired_at", "retired_by"])
        audit.record(actor, "standard.retire", obj=row, summary=f"停用标准 {row}：{reason.strip()[:100]}")
    return row


def _active_rows(year: int) -> list[dict[str, Any]]:
    rows = Standard.objects.filter(retired_at__isnull=True, effective_year__lte=year).order_by(
        "name", "region_prefix", "effective_year"
    )
    return [
        {"name": r.name, "region_prefix": r.region_prefix, "effective_year": r.effective_year, "value": r.value}
        for r in rows
    ]


def _content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def freeze_ruleset(year: int, *, actor: Any) -> RuleSet:
    """The rule set for ``year`` as the standards stand now: the latest version when nothing changed
    (idempotent), otherwise a new version."""
    content = {"year": int(year), "engine": ENGINE_VERSION, "standards": _active_rows(int(year))}
    digest = _content_hash(content)
    latest = RuleSet.objects.select_for_update().filter(year=year).order_by("-version").first()
    if latest is not None and latest.content_hash == digest:
        return latest
    version = (RuleSet.objects.filter(year=year).aggregate(m=Max("version"))["m"] or 0) + 1
    ruleset = RuleSet.objects.create(
        year=year,
        version=version,
        content=content,
        content_hash=digest,
        created_by=getattr(actor, "username", "system"),
    )
    audit.record(
        actor,
        "ruleset.freeze",
        object_type="policy.ruleset",
        object_id=str(ruleset.pk),
        summary=in_chinese(lambda: f"冻结{ruleset.label}"),
        changes={"standards": len(content["standards"])},
    )
    return ruleset


def diff_rulesets(old: RuleSet, new: RuleSet) -> list[dict[str, Any]]:
    """Rows added, removed or changed between two rule sets (keyed by name, prefix, effective year)."""

    def keyed(rs: RuleSet) -> dict[tuple[str, str, int], str]:
        return {(r["name"], r["region_prefix"], r["effective_year"]): r["value"] for r in rs.content["standards"]}

    a, b = keyed(old), keyed(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(
                {
                    "name": key[0],
                    "label": str(DEFINITIONS[key[0]].label) if key[0] in DEFINITIONS else key[0],
                    "region_prefix": key[1],
                    "effective_year": key[2],
                    "old": a.get(key),
                    "new": b.get(key),
                }
            )
    if old.content.get("engine") != new.content.get("engine"):
        out.append(
            {
                "name": "engine",
                "label": _("评估引擎版本"),
                "region_prefix": "",
                "effective_year": 0,
                "old": old.content.get("engine"),
                "new": new.content.get("engine"),
            }
        )
    return out


def dump_standards() -> dict[str, Any]:
    """All active standards as a versioned document (for ``tuopin policy export``)."""
    rows = Standard.objects.filter(retired_at__isnull=True).order_by("name", "region_prefix", "effective_year")
    return {
        "format": FILE_FORMAT,
        "standards": [
            {
                "name": r.name,
                "region_prefix": r.region_prefix,
                "effective_year": r.effective_year,
                "value": r.value,
                "source": r.source,
                "confidence": r.confidence,
            }
            for r in rows
        ],
    }


@transaction.atomic
def load_standards(document: dict[str, Any], *, actor: Any) -> dict[str, int]:
    """Load a standards document: new keys are added, equal ones skipped, different values replaced
    (with history). All-or-nothing; running it twice changes nothing the second time."""
    _require_policy_admin(actor)
    if document.get("format") != FILE_FORMAT:
        raise ValidationError(_("标准文件格式不对：应为 %(f)s。") % {"f": FILE_FORMAT})
    counts = {"added": 0, "replaced": 0, "unchanged": 0}
    for i, item in enumerate(document.get("standards", [])):
        try:
            name, prefix, year, text = _clean(
                item.get("name", ""), item.get("region_prefix", ""), item.get("effective_year"), item.get("value", "")
            )
        except ValidationError as exc:
            raise ValidationError(_("第%(i)d条：%(msg)s") % {"i": i + 1, "msg": "；".join(exc.messages)}) from None
        current = Standard.objects.filter(
            name=name, region_prefix=prefix, effective_year=year, retired_at__isnull=True
        ).first()
        if current is None:
            add_standard(
                actor=actor,
                name=name,
                region_prefix=prefix,
                effective_year=year,
                value=text,
                source=item.get("source", ""),
                confidence=item.get("confidence", Confidence.TO_CONFIRM),
            )
            counts["added"] += 1
        elif current.value != text:
            replace_standard(current, actor=actor, value=text, source=item.get("source", ""), reason="标准文件导入")
            counts["replaced"] += 1
        else:
            counts["unchanged"] += 1
    return counts
