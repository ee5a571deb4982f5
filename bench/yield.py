"""How much of the assessment the scan pre-fills: per framework, how many questions end suggested,
as a floor ("at least N"), as a range, unknown, manual (people) or not applicable.

    .venv/bin/python bench/yield.py [--json]

The estates: the bundled demo (`cmm-scan demo`: the rich estate below recorded as three shards, and five
repositories), the Azure, GCP and OCI demo parts (fixtures/demo-parts/, each recorded from the project's
emulator) alone, all of them pooled as one organisation, and a rich, fully readable estate built in moto
by fixtures/rich_estate.py on the demo's builders (an organisation of three accounts, an organisation
trail into locked storage with metric-filter alarms on its log group, threat detection, posture,
vulnerability scanning and data discovery everywhere, Config rules with remediation, customer keys, team
budgets alerting engineers, target tracking, people in the identity centre, backups copied to a DR-only
second region), collected with the real AWS adapter (`cmm-scan collect aws --org`). The few calls moto
lacks are answered in the API's shape (`rich_estate.served_gaps`); the bench stops if any collector of
the rich estate fails. "Exported" counts the questions whose answer to the official tool is a level
(settled or floor), not 0. Numbers take about a minute on a 2-CPU machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ("suggested", "floor", "range", "unknown", "manual", "not_applicable")


def tally(assessment) -> dict[str, dict[str, int]]:
    out = {}
    for framework in ("cmm", "csmm"):
        results = assessment.for_framework(framework)
        counts = Counter(r.status for r in results)
        row = {status: counts.get(status, 0) for status in STATUSES}
        row["exported"] = sum(1 for r in results if r.answer > 0)
        row["questions"] = len(results)
        out[framework] = row
    return out


def score(snapshot: Path | list[Path]):
    from cmm_scan.engine import evaluate
    from cmm_scan.rules import load_rules

    return evaluate(snapshot, load_rules())


def rich_snapshot(tmp: Path) -> Path:
    """The rich estate (fixtures/rich_estate.py), collected with the real AWS adapter; every collector must answer."""
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-west-2")
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT / "fixtures"))
    import rich_estate
    from moto import mock_aws

    from cmm_scan.cli import main as cli

    snapshot = tmp / "rich.jsonl"
    with mock_aws(), rich_estate.served_gaps():
        rich_estate.build()
        code = cli(["collect", "aws", "--org", "--regions", ",".join(rich_estate.REGIONS), "--output", str(snapshot), "-q"])
        if code != 0:
            raise SystemExit(f"collect failed with exit code {code}")
    gaps = [
        line
        for line in snapshot.read_text(encoding="utf-8").splitlines()
        if line.startswith('{"record":"coverage"') and '"status":"ok"' not in line and '"status":"not_enabled"' not in line
    ]
    if gaps:
        raise SystemExit("the rich estate is not fully readable:\n" + "\n".join(gaps[:10]))
    return snapshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    from cmm_scan.demo import demo_snapshots

    parts = sorted((ROOT / "fixtures" / "demo-parts").glob("*.snapshot.jsonl"))
    with tempfile.TemporaryDirectory() as tmp:
        numbers = {"demo": tally(score(demo_snapshots()))}
        numbers |= {f"{part.name.split('.')[0]} part": tally(score(part)) for part in parts}
        numbers["demo + every part"] = tally(score([*demo_snapshots(), *parts]))
        numbers["rich moto estate"] = tally(score(rich_snapshot(Path(tmp))))
    if args.json:
        print(json.dumps(numbers, indent=2))
        return 0
    columns = ("questions", "exported", *STATUSES)
    print(f"{'estate':18} {'framework':9} " + " ".join(f"{c:>14}" for c in columns))
    for estate, frameworks in numbers.items():
        for framework, row in frameworks.items():
            print(f"{estate:18} {framework:9} " + " ".join(f"{row[c]:>14}" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
