"""Starting, executing, replaying and comparing assessment runs.

``start_run`` records who asked for what (audited) and queues the job; ``execute_run`` is the job
body: load the cohort's inputs set-based, evaluate on columns, and write every determination and
every rollup in one transaction. Executing the same run again rewrites the same rows (idempotent);
a run that dies part-way leaves nothing half-written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.columnar import Col, insert_arrays
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.geo.models import Region
from tuopin.policy.actions import freeze_ruleset, in_chinese
from tuopin.policy.models import RuleSet

from .choices import INDICATORS, Result, RunStatus
from .engine import Outcome, evaluate
from .inputs import HOUSING_LABELS, STATUS_LABELS, Inputs, load_inputs, village_groups
from .models import Determination, RegionRollup, Run
from .rollup import build_rollups

__all__ = ["start_run", "execute_run", "replay_run", "compare_rulesets", "RulesetComparison"]

INDICATOR_NAMES = tuple(name for name, _label in INDICATORS)
COUNT_FIELDS = (
    "children_school_age",
    "children_out_of_school",
    "members_unknown_school",
    "members_uninsured",
    "members_over_selfpay_cap",
)


def _require_runner(actor: Any, region: Region) -> None:
    if actor is not None:
        if not actor.can(Capability.RUN_ASSESSMENT):
            raise PermissionDenied(_("您的角色无权运行评估。"))
        check_in_jurisdiction(actor, region.code)


def start_run(
    *, actor: Any, year: int, region: Region | str, enqueue: bool = True, replay_of: Run | None = None
) -> Run:
    """Create a run for a year and region under the current rule set for that year, and queue it.

    ``actor`` None means the system (the CLI run by the operator). With ``enqueue=False`` the caller
    executes it (the CLI does, synchronously).
    """
    region = region if isinstance(region, Region) else Region.objects.filter(code=str(region).ljust(12, "0")).first()
    if region is None:
        raise ValidationError({"region": _("地区代码不存在。")})
    _require_runner(actor, region)
    if not 2013 <= int(year) <= timezone.localdate().year:
        raise ValidationError({"year": _("年度超出范围。")})
    with transaction.atomic():
        ruleset = replay_of.ruleset if replay_of else freeze_ruleset(int(year), actor=actor)
        run = Run.objects.create(
            year=int(year),
            region=region,
            ruleset=ruleset,
            replay_of=replay_of,
            requested_by=getattr(actor, "username", "system"),
        )
        audit.record(
            actor,
            "assessment.start",
            obj=run,
            summary=in_chinese(lambda: f"{'重放' if replay_of else '评估'} {region.name} {year}年（{ruleset.label}）"),
        )
        if enqueue:
            from .tasks import run_assessment

            transaction.on_commit(lambda: run_assessment.enqueue(run.pk))
    return run


def _progress(run: Run, stage: str, pct: int) -> None:
    """Record the run's stage (stored as its Chinese text, translated where shown) and percentage."""
    Run.objects.filter(pk=run.pk).update(stage=stage, progress=pct)


def _codes(inp: Inputs, name: str, labels: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """A text column as codes of labels (the loader's own, or ``labels`` extended by any other value)."""
    if name in inp.coded:
        return inp.coded[name].codes, inp.coded[name].labels
    values = getattr(inp, name)
    codes = np.full(len(values), -1, dtype=np.int64)
    for i, label in enumerate(labels):
        codes[values == label] = i
    odd = np.flatnonzero(codes < 0)
    if len(odd):
        labels = labels + tuple(sorted({str(v) for v in values[odd]} - set(labels)))
        codes[odd] = [labels.index(str(v)) for v in values[odd]]
    return codes, labels


def _fen(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yuan as integer fen (rounded to two places, as stored), and where unknown."""
    unknown = np.isnan(values)
    return np.where(unknown, 0, np.rint(np.nan_to_num(values) * 100)).astype(np.int64), unknown


def _determination_columns(run: Run, inp: Inputs, out: Outcome) -> list[Col]:
    """Every column of the run's determinations, straight from the engine's arrays."""
    status, status_labels = _codes(inp, "status", STATUS_LABELS)
    grade, grade_labels = _codes(inp, "housing_safety", HOUSING_LABELS)
    village_codes, village_index = village_groups(inp)

    def money(name: str, values: np.ndarray) -> Col:
        # To SQLite as the nearest double of fen / 100: the engine has always written amounts from floats.
        fen, unknown = _fen(values)
        return Col(name, "decimal", fen, null=unknown, scale=2, sqlite_real=True)

    def flag(name: str, values: np.ndarray) -> Col:
        return Col(name, "bool", values == 1, null=np.isnan(values))

    return [
        Col("run_id", "const", run.pk),
        Col("household_id", "int", inp.hh_id),
        Col("village_code", "digits", village_codes[village_index], width=12),
        Col("year", "const", inp.year),
        Col("status", "label", status, labels=status_labels),
        Col("exited_in_year", "bool", inp.exited_in_year),
        *(Col(name, "int", getattr(out, name)) for name in ("cannot_reason", *INDICATOR_NAMES)),
        Col("meets_standard", "bool", out.meets_standard),
        Col("exit_eligible", "bool", out.exit_eligible),
        Col("exit_block", "int", out.exit_block),
        Col("monitor_flags", "int", out.monitor_flags),
        Col("members", "int", out.members),
        money("net_income_per_capita", inp.net_pc),
        money("prev_income_per_capita", inp.prev_net_pc),
        money("poverty_line", out.poverty_line),
        *(Col(name, "int", getattr(out, name)) for name in COUNT_FIELDS),
        Col("housing_grade", "label", grade, labels=grade_labels),
        flag("water_quantity_ok", out.water_quantity_ok),
        flag("water_quality_ok", out.water_quality_ok),
        flag("water_convenience_ok", out.water_convenience_ok),
        flag("water_guarantee_ok", out.water_guarantee_ok),
        Col("input_hash", "hex", out.hasher),  # hashed chunk by chunk as the rows are written
    ]


def execute_run(run_id: int) -> Run:
    """The job body: evaluate and store. Safe to call again for the same run (same rows result)."""
    run = Run.objects.select_related("region", "ruleset").get(pk=run_id)
    started = time.perf_counter()
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now(), error="")
    try:
        _progress(run, gettext_noop("读取数据"), 5)
        t0 = time.perf_counter()
        inp = load_inputs(run.year, run.region.prefix)
        t_load = time.perf_counter() - t0
        _progress(run, gettext_noop("计算指标"), 40)
        t0 = time.perf_counter()
        out = evaluate(inp, run.ruleset.content)
        t_eval = time.perf_counter() - t0
        _progress(run, gettext_noop("写入结果"), 60)
        t0 = time.perf_counter()
        with transaction.atomic():
            Determination.objects.filter(run=run).delete()
            RegionRollup.objects.filter(run=run).delete()
            insert_arrays(Determination._meta.db_table, _determination_columns(run, inp, out))
            rollups = build_rollups(run, inp, out)
            counts = {
                "households": inp.n,
                "exit_eligible": int(out.exit_eligible.sum()),
                "meets_standard": int(out.meets_standard.sum()),
                "cannot_assess": int((out.cannot_reason != 0).sum()),
                "flagged": int((out.monitor_flags != 0).sum()),
                "regions": rollups,
                "seconds": {"load": round(t_load, 3), "evaluate": round(t_eval, 3)},
            }
            counts["seconds"]["store"] = round(time.perf_counter() - t0, 3)
            counts["seconds"]["total"] = round(time.perf_counter() - started, 3)
            Run.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                stage=gettext_noop("完成"),
                progress=100,
                counts=counts,
                finished_at=timezone.now(),
            )
            audit.record(
                None,
                "assessment.done",
                obj=run,
                summary=f"评估完成：{inp.n}户，可退出{counts['exit_eligible']}户",
                changes=counts,
            )
    except Exception as exc:
        Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    run.refresh_from_db()
    return run


@dataclass
class RulesetComparison:
    """Who changes between two evaluations of one cohort, and in which indicators."""

    households: int
    changed: list[dict[str, Any]]
    by_indicator: dict[str, int]


def _compare(inp: Inputs, a: Outcome, b: Outcome, limit: int) -> RulesetComparison:
    names = [name for name, _label in INDICATORS] + ["exit_eligible", "monitor_flags"]
    diffs = {name: getattr(a, name) != getattr(b, name) for name in names}
    any_diff = np.zeros(inp.n, dtype=bool)
    for d in diffs.values():
        any_diff |= d
    changed = []
    for i in np.flatnonzero(any_diff)[:limit]:
        changed.append(
            {
                "household_id": int(inp.hh_id[i]),
                "changes": {
                    name: [_label_of(name, getattr(a, name)[i]), _label_of(name, getattr(b, name)[i])]
                    for name in names
                    if diffs[name][i]
                },
            }
        )
    return RulesetComparison(
        households=inp.n, changed=changed, by_indicator={name: int(d.sum()) for name, d in diffs.items()}
    )


def _label_of(name: str, value: Any) -> Any:
    if name in dict(INDICATORS):
        return str(Result(int(value)).label)
    return bool(value) if name == "exit_eligible" else int(value)


def compare_rulesets(
    *, actor: Any, year: int, region: Region, old: RuleSet, new: RuleSet, limit: int = 200
) -> RulesetComparison:
    """Evaluate one cohort (today's facts) under two rule sets, in memory, and report the differences."""
    _require_runner(actor, region)
    inp = load_inputs(int(year), region.prefix)
    return _compare(inp, evaluate(inp, old.content), evaluate(inp, new.content), limit)


def replay_run(run: Run, *, actor: Any) -> tuple[Run, dict[str, int]]:
    """Re-run an old run's cohort under its own rule set on today's facts; report what differs.

    Households whose input hash is unchanged must get identical results — the test of replay.
    """
    replay = start_run(actor=actor, year=run.year, region=run.region, enqueue=False, replay_of=run)
    replay = execute_run(replay.pk)
    fields = ["household_id", "input_hash"] + [name for name, _label in INDICATORS] + ["exit_eligible"]
    old = {r[0]: r[1:] for r in Determination.objects.filter(run=run).values_list(*fields)}
    new = {r[0]: r[1:] for r in Determination.objects.filter(run=replay).values_list(*fields)}
    same_inputs = [h for h in old.keys() & new.keys() if old[h][0] == new[h][0]]
    summary = {
        "households": len(new),
        "inputs_unchanged": len(same_inputs),
        "inputs_changed": len([h for h in old.keys() & new.keys() if old[h][0] != new[h][0]]),
        "results_differ_with_same_inputs": sum(1 for h in same_inputs if old[h][1:] != new[h][1:]),
        "only_in_original": len(old.keys() - new.keys()),
        "only_in_replay": len(new.keys() - old.keys()),
    }
    return replay, summary
