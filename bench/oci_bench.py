"""Benchmark a full OCI scan (`cmm-scan scan oci`) against the emulator: a tenancy of 3,000 resources in
30 compartments (ten, each with two sub-compartments) and two regions.

    .venv/bin/python bench/oci_bench.py [--resources 3000] [--compartments 30]

The mix per region: instances (a fifth of them in autoscaled pools), volumes, VCNs with subnets and security
lists, buckets, alarms, log groups; plus IAM users. Reports wall time, requests the emulator answered (by
operation family) and the scanning subprocess's own peak RSS (VmHWM; Linux). On a shared 2-CPU machine:

    6-11 s wall, 469 requests (300 GetBucket, one per bucket; 169 others, of which 62 Audit ListEvents, one per
    compartment and region, 31 ListDomains, one per compartment, 30 guided instance lists; 4 for the 50 users'
    credentials, per identity domain), 95-97 MiB peak RSS. 622 before Search guided the protection-policy and
    dashboard-group lists and Management Dashboards became one subtree list a region (issue #14); 1,275 before the
    bulk reads (900 for the buckets, three each; 150 for the users, three each). The buckets here are versioned and
    have no lifecycle policy: an unversioned bucket adds its retention rules, one with a lifecycle policy that policy
    (docs/oci.md, Speed).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cmm_scan.emulate.core import Emulator
from cmm_scan.emulate.oci import provider

REGIONS = ("uk-london-1", "eu-frankfurt-1")
TENANCY = "ocid1.tenancy.oc1..bench"
CHILD = """
import atexit, os, sys
def peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from cmm_scan.cli import main
sys.exit(main(sys.argv[1:]))
"""


def estate(total: int, compartments: int) -> dict:
    """The tenancy in the emulator's documented OCI estate format (docs/emulator.md)."""
    tops = max(1, compartments // 3)
    comps = []
    for t in range(tops):
        comps.append({"id": f"ocid1.compartment.oc1..c{t}", "compartmentId": TENANCY, "name": f"c{t}"})
        for k in range(2):
            comps.append({"id": f"ocid1.compartment.oc1..c{t}-{k}", "compartmentId": f"ocid1.compartment.oc1..c{t}", "name": f"c{t}-{k}"})
    comps = comps[:compartments]
    regional: dict[str, dict[str, list]] = {region: {} for region in REGIONS}
    objects: dict[str, object] = {"n/": "bench"}
    errors: dict[str, list] = {}
    n = 0

    def add(region: str, path: str, kind: str, comp: str, **data: object) -> None:
        nonlocal n
        n += 1
        body = {
            "id": f"ocid1.{kind}.oc1..r{n}",
            "compartmentId": comp,
            "lifecycleState": "RUNNING",
            "timeCreated": "2026-01-01T00:00:00Z",
            "freeformTags": {"owner": "bench"},
            **data,
        }
        regional[region].setdefault(path, []).append(body)

    per_region = total // len(REGIONS)
    for r, region in enumerate(REGIONS):
        for i in range(per_region):
            comp = comps[i % len(comps)]["id"]
            kind = i % 10
            if kind < 5:
                add(region, "20160918/instances", "instance", comp, shape="VM.Standard.A1.Flex" if i % 3 else "VM.Standard.E4.Flex")
            elif kind < 7:
                add(region, "20160918/volumes", "volume", comp)
            elif kind == 7:
                add(
                    region, "20160918/securityLists", "securitylist", comp, ingressSecurityRules=[{"source": "10.0.0.0/8", "protocol": "6"}]
                )
            elif kind == 8:
                add(
                    region,
                    "20180401/alarms",
                    "alarm",
                    comp,
                    namespace="oci_computeagent",
                    query="CpuUtilization[1m].mean() > 80",
                    destinations=["ocid1.onstopic.oc1..t"],
                )
            else:
                name = f"b{r}-{i}"
                add(region, "n/bench/b", "bucket", comp, name=name, namespace="bench")
                objects[f"n/bench/b/{name}"] = {"name": name, "publicAccessType": "NoPublicAccess", "versioning": "Enabled"}
                errors[f"n/bench/b/{name}/l"] = [404, "LifecyclePolicyNotFound"]
    users = [
        {
            "id": f"ocid1.user.oc1..u{u}",
            "name": f"u{u}",
            "compartmentId": TENANCY,
            "lifecycleState": "ACTIVE",
            "isMfaActivated": True,
            "timeCreated": "2025-01-01T00:00:00Z",
        }
        for u in range(50)
    ]
    return {
        "provider": "oci",
        "tenancy": {"id": TENANCY, "name": "bench", "homeRegionKey": "LHR"},
        "regionSubscriptions": [{"regionName": r, "regionKey": r.upper(), "isHomeRegion": r == REGIONS[0]} for r in REGIONS],
        "compartments": comps,
        "resources": {"20160918/users": users},
        "regional": regional,
        "objects": objects,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--compartments", type=int, default=30)
    args = parser.parse_args()
    with Emulator(provider(), estate(args.resources, args.compartments), page_size=1000) as emulator, tempfile.TemporaryDirectory() as out:
        peak_file = Path(out) / "peak"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "CMM_SCAN_"))}
        env.update(emulator.env, BENCH_PEAK_FILE=str(peak_file))
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, "scan", "oci", "-o", out, "--format", "json", "--no-store", "-q"], env=env)
        wall = time.perf_counter() - started
        families = collections.Counter(re.sub(r"ocid1\.[^/]+|b\d+-\d+", "*", r["operation"]) for r in emulator.requests)
        print(f"exit {done.returncode}; {args.resources} resources, {args.compartments} compartments, {len(REGIONS)} regions")
        print(f"wall {wall:.1f} s, {len(emulator.requests)} requests, peak RSS {int(peak_file.read_text()) / 1024:.0f} MiB")
        for family, count in families.most_common(16):
            print(f"  {count:5d}  {family}")


if __name__ == "__main__":
    main()
