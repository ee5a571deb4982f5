"""Benchmark a full Azure scan (`cmm-scan scan azure`) against the emulator (issue #12 targets: 5,000 resources
in 20 subscriptions in under 100 requests and 150 MB peak RSS).

    .venv/bin/python bench/azure_bench.py [--subscriptions 20] [--resources 5000] [--page-size 1000]

Reports wall time, HTTP requests (the emulator's request log, by operation; the Graph reads answered inside a
`$batch` are listed apart) and the scan's own peak RSS (VmHWM). On a loaded 2-CPU machine (the emulator in this
process, evaluating every Resource Graph query):

    default (5,100 resources with Defender plans, 20 subscriptions, 200 users, conditional access and directory
    roles): 9-17 s (shared 2-core machine), 99 requests, 9,303 facts, peak 85 MiB, no coverage gaps
    (15 Resource Graph pages: the inventory, the one typed Resources query every Resources-table collector
    shares, ResourceContainers once for the plan and the organisation, and the other tables; 20 each of budgets,
    cost exports, cost scheduled actions and activity-log exports: one per subscription, as no bulk read holds
    them; the tenant and subscription lists; one Graph $batch with 13 Graph reads, and the sign-in activity
    list's second page). Before Graph batching and the shared ResourceContainers query: 111; before the shared
    Resources query: 132.

    The default estate holds no container registry. `--registries N` adds N registries of 10 repositories each
    (half locked whole, half taking writes with one tag): each adds 4 requests (its ACR tasks list; on its data
    plane the token exchange, the token and the catalog) and 15 for its repositories (10 reads, 5 tag lists):
    `--registries 2` sends 137 requests (9,325 facts, 91 MiB peak).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cmm_scan.emulate import provider
from cmm_scan.emulate.core import Emulator

CHILD = """
import atexit, os, sys
def peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from cmm_scan.cli import main
sys.exit(main(sys.argv[1:]))
"""
# A mix of what an estate holds: mostly resources Resource Graph answers alone.
MIX = [
    ("Microsoft.Compute/disks", 0.35),
    ("Microsoft.Compute/virtualMachines", 0.25),
    ("Microsoft.Network/networkInterfaces", 0.2),
    ("Microsoft.Network/networkSecurityGroups", 0.1),
    ("Microsoft.Network/virtualNetworks", 0.05),
    ("Microsoft.Insights/metricAlerts", 0.05),
]


def registries(subs: list[str], count: int, repositories: int = 10) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`count` container registries (one per subscription from the first), each of `repositories` repositories:
    half locked whole, half taking writes with one tag (their tags are read too)."""
    items, planes = [], {}
    flags = {"deleteEnabled": True, "readEnabled": True, "listEnabled": True}
    for n in range(count):
        sub, name = subs[n % len(subs)], f"acr{n}"
        items.append(
            {
                "id": f"/subscriptions/{sub}/resourceGroups/build/providers/Microsoft.ContainerRegistry/registries/{name}",
                "type": "Microsoft.ContainerRegistry/registries",
                "location": "uksouth",
                "properties": {"loginServer": f"{name}.azurecr.io"},
            }
        )
        planes[f"{name}.azurecr.io"] = [
            {
                "imageName": f"app{r}",
                "changeableAttributes": {**flags, "writeEnabled": r % 2 == 1},
                "tags": [{"name": "1.0", "digest": "sha256:" + "0" * 64, "changeableAttributes": {**flags, "writeEnabled": True}}],
            }
            for r in range(repositories)
        ]
    return items, planes


def estate(subscriptions: int, resources: int, registry_count: int = 0) -> dict[str, Any]:
    subs = [f"{n:08d}-0000-0000-0000-000000000000" for n in range(1, subscriptions + 1)]
    items: list[dict[str, Any]] = []
    per_sub = resources // subscriptions
    for sub in subs:
        for rtype, share in MIX:
            for n in range(int(per_sub * share)):
                props: dict[str, Any] = {}
                if rtype.endswith("virtualMachines"):
                    props = {
                        "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                        "extended": {"instanceView": {"powerState": {"code": "PowerState/running"}}},
                    }
                items.append(
                    {
                        "id": f"/subscriptions/{sub}/resourceGroups/rg{n % 5}/providers/{rtype}/r{n}",
                        "type": rtype,
                        "location": "uksouth",
                        "tags": {"owner": "team", "env": "prod"},
                        "properties": props,
                    }
                )
    for sub in subs:  # Defender plans: every subscription lists each plan, Standard or Free
        for plan in ("VirtualMachines", "StorageAccounts", "SqlServers", "Containers", "KeyVaults", "Arm", "CloudPosture"):
            tier = "Standard" if plan in ("VirtualMachines", "CloudPosture") else "Free"
            items.append(
                {
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{plan}",
                    "type": "Microsoft.Security/pricings",
                    "properties": {"pricingTier": tier},
                }
            )
    acr, planes = registries(subs, registry_count)
    items += acr
    users = [{"id": f"u{n}", "userType": "Member", "accountEnabled": True, "memberOf": []} for n in range(200)]
    everyone = {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"], "excludeUsers": ["u0"]}}
    return {
        "provider": "azure",
        "subscriptions": [{"subscriptionId": s} for s in subs],
        "resources": items,
        "registries": planes,
        "graph": {
            "organization": [{"id": "org"}],
            "domains": [{"id": "example.org", "authenticationType": "Managed", "isDefault": True}],
            "identityGovernance/accessReviews/definitions": [],
            "users": users,
            "applications": [],
            "servicePrincipals": [],
            "reports/authenticationMethods/userRegistrationDetails": [{"id": u["id"], "isMfaRegistered": True} for u in users],
            "identity/conditionalAccess/policies": [
                {"id": "p1", "state": "enabled", "conditions": everyone, "grantControls": {"builtInControls": ["mfa"]}}
            ],
            "policies/identitySecurityDefaultsEnforcementPolicy": {"isEnabled": False},
            "policies/authenticationMethodsPolicy": {"authenticationMethodConfigurations": [{"id": "Sms", "state": "disabled"}]},
            "roleManagement/directory/roleAssignments": [
                {"id": "a1", "principalId": "u0", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10"}
            ],
            "roleManagement/directory/roleEligibilitySchedules": [
                {"id": "e1", "principalId": "u1", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10"}
            ],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--registries", type=int, default=0, help="container registries of 10 repositories each (data-plane reads)")
    args = parser.parse_args()
    data = estate(args.subscriptions, args.resources, args.registries)
    with Emulator(provider("azure"), data, page_size=args.page_size) as emulator, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **emulator.env, "BENCH_PEAK_FILE": str(Path(tmp) / "peak")}
        start = time.perf_counter()
        command = [sys.executable, "-c", CHILD, "scan", "azure", "--output-dir", tmp, "--format", "json", "--no-store", "-q"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(done.stderr)
        with gzip.open(Path(tmp) / "snapshot.jsonl.gz", "rt") as snapshot:
            lines = snapshot.readlines()
        facts = sum(1 for line in lines if '"record":"fact"' in line)
        gaps = [line for line in lines if '"record":"coverage"' in line and '"status":"ok"' not in line]
        peak_mib = int((Path(tmp) / "peak").read_text()) / 1024
        by_operation = collections.Counter(r["operation"] for r in emulator.http_requests())
        batched = collections.Counter(r["operation"] for r in emulator.requests if r.get("batched"))
    print(
        f"{len(data['resources'])} resources in {args.subscriptions} subscriptions: {wall:.1f} s, {sum(by_operation.values())} requests, "
        f"{facts} facts, peak {peak_mib:.0f} MiB, {len(gaps)} coverage gaps"
    )
    print(json.dumps(dict(by_operation.most_common()), indent=1))
    print(f"inside {by_operation['graph/$batch']} Graph batch(es): {json.dumps(dict(batched.most_common()), indent=1)}")


if __name__ == "__main__":
    main()
