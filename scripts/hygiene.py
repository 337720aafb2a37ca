"""R16 — residual information and supply chain, in one command (the ``make hygiene`` of security.md).

    .venv/bin/python scripts/hygiene.py            # bandit against the reviewed baseline, tuopin hygiene
    .venv/bin/python scripts/hygiene.py --audit    # … and pip-audit of requirements.lock (needs PyPI)

* ``bandit -r tuopin`` must find nothing beyond scripts/bandit-baseline.json (each finding there is
  justified in docs/security-tests.md, R16); any new finding fails.
* ``pip-audit -r requirements.lock`` asks PyPI's advisory data about every locked version; a package it
  could not look up is reported as not audited, never as clean.
* ``tuopin hygiene`` looks for staged import files and uploads that should be gone, and expired sessions.

Exit status: 0 when all ran clean, 1 otherwise. ``--update-baseline`` rewrites the bandit baseline after
a review.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASELINE = ROOT / "scripts" / "bandit-baseline.json"
BANDIT = [str(BIN / "bandit"), "-r", "tuopin", "-x", "tuopin/*/migrations", "-q"]


def bandit(*, update: bool) -> bool:
    if update:
        subprocess.run([*BANDIT, "-f", "json", "-o", str(BASELINE)], cwd=ROOT, check=False)  # noqa: S603
        # Only the findings: bandit matches them by file, test, severity, confidence and text (not by line).
        data = {"results": json.loads(BASELINE.read_text(encoding="utf-8"))["results"]}
        BASELINE.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"bandit baseline rewritten: {len(data['results'])} reviewed findings")
        return True
    out = subprocess.run([*BANDIT, "-b", str(BASELINE), "-f", "json"], cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    report = json.loads(out.stdout or "{}")
    new = report.get("results", [])
    totals = report.get("metrics", {}).get("_totals", {})
    for r in new:
        print(f"bandit NEW {r['test_id']} {r['issue_severity']}: {r['filename']}:{r['line_number']} {r['issue_text']}")
    print(f"bandit: {totals.get('loc', 0)} lines, {len(new)} findings beyond the reviewed baseline")
    return out.returncode == 0 and not new


def pip_audit() -> bool:
    with tempfile.NamedTemporaryFile(suffix=".json") as fh:
        subprocess.run(  # noqa: S603
            [str(BIN / "pip-audit"), "-r", "requirements.lock", "--no-deps", "--disable-pip"]
            + ["--progress-spinner", "off", "-f", "json", "-o", fh.name],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        data = json.loads(Path(fh.name).read_text(encoding="utf-8") or "{}")
    deps = data.get("dependencies", [])
    vulns = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in deps for v in d.get("vulns", [])]
    skipped = [d["name"] for d in deps if d.get("skip_reason")]
    for name, version, vid, fix in vulns:
        print(f"pip-audit {name} {version}: {vid} (fixed in {', '.join(fix or []) or '—'})")
    audited = len(deps) - len(skipped)
    print(
        f"pip-audit: {len(deps)} locked packages, {audited} audited, {len(skipped)} not audited, {len(vulns)} known vulnerabilities"
    )
    if skipped:
        print(
            "  not audited (PyPI gave no advisory data for these versions): "
            + ", ".join(skipped[:20])
            + (" …" if len(skipped) > 20 else "")
        )
    return not vulns and not skipped


def residual() -> bool:
    out = subprocess.run([str(BIN / "tuopin"), "hygiene"], cwd=ROOT, check=False)  # noqa: S603
    return out.returncode == 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audit", action="store_true", help="also run pip-audit (asks PyPI)")
    ap.add_argument("--update-baseline", action="store_true", help="rewrite the reviewed bandit baseline")
    args = ap.parse_args()
    if args.update_baseline:
        return 0 if bandit(update=True) else 1
    ok = bandit(update=False)
    if args.audit:
        ok = pip_audit() and ok
    ok = residual() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
