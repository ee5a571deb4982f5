"""Benchmark a full GCP scan (`cmm-scan scan gcp`) against the GCP emulator: an organisation of
--resources resources in --projects projects (instances in autoscaled groups, buckets, firewall rules,
service accounts with keys, KMS keys), read through the Cloud Asset Inventory.

    .venv/bin/python bench/gcp_bench.py [--projects 50] [--resources 5000]

Reports wall time, API requests (the emulator's request log) and the peak RSS of the scanning
subprocess (its own VmHWM; Linux). Numbers are in docs/gcp.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHILD = """
import atexit, os, sys
def peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from cmm_scan.cli import main
sys.exit(main(sys.argv[1:]))
"""
ZONE = "europe-west2-a"


def asset(name: str, kind: str, data: dict[str, Any], ancestors: list[str], location: str = "global") -> dict[str, Any]:
    return {"name": name, "assetType": kind, "ancestors": ancestors, "resource": {"version": "v1", "data": data, "location": location}}


def estate(projects: int, resources: int) -> dict[str, Any]:
    """In the emulator's documented format (docs/emulator.md): containers and resources are all assets."""
    org = "organizations/1"
    crm = "cloudresourcemanager.googleapis.com"
    assets = [asset(f"//{crm}/{org}", f"{crm}/Organization", {"name": org, "displayName": "bench"}, [org])]
    folders = [f"folders/{10 + i}" for i in range(5)]
    assets += [asset(f"//{crm}/{f}", f"{crm}/Folder", {"name": f, "displayName": f}, [f, org]) for f in folders]
    per_project = resources // projects
    for p in range(projects):
        pid, number = f"p-{p}", f"projects/{1000 + p}"
        above = [number, folders[p % 5], org]
        assets.append(asset(f"//{crm}/{number}", f"{crm}/Project", {"projectId": pid, "name": pid, "lifecycleState": "ACTIVE"}, above))
        link = f"projects/{pid}/zones/{ZONE}/instanceGroupManagers/web"
        assets.append(
            asset(
                f"//compute.googleapis.com/{link}",
                "compute.googleapis.com/InstanceGroupManager",
                {"name": "web", "targetSize": 10},
                above,
                ZONE,
            )
        )
        policy = {"minNumReplicas": 2, "maxNumReplicas": 20, "cpuUtilization": {"utilizationTarget": 0.6}}
        autoscaler = {"name": "web", "target": link, "autoscalingPolicy": policy}
        assets.append(
            asset(
                f"//compute.googleapis.com/projects/{pid}/zones/{ZONE}/autoscalers/web",
                "compute.googleapis.com/Autoscaler",
                autoscaler,
                above,
                ZONE,
            )
        )
        for i in range(per_project - 3):
            kind = i % 5
            if kind in (0, 1):
                created = (
                    {"items": [{"key": "created-by", "value": f"{number}/zones/{ZONE}/instanceGroupManagers/web"}]} if kind == 0 else {}
                )
                data = {"name": f"vm-{i}", "machineType": f"zones/{ZONE}/machineTypes/e2-medium", "status": "RUNNING", "metadata": created}
                assets.append(
                    asset(
                        f"//compute.googleapis.com/projects/{pid}/zones/{ZONE}/instances/vm-{i}",
                        "compute.googleapis.com/Instance",
                        data,
                        above,
                        ZONE,
                    )
                )
            elif kind == 2:
                data = {"name": f"{pid}-b{i}", "versioning": {"enabled": True}, "iamConfiguration": {"publicAccessPrevention": "enforced"}}
                assets.append(asset(f"//storage.googleapis.com/{pid}-b{i}", "storage.googleapis.com/Bucket", data, above, "EUROPE-WEST2"))
            elif kind == 3:
                data = {
                    "name": f"fw-{i}",
                    "direction": "INGRESS",
                    "sourceRanges": ["10.0.0.0/8"],
                    "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}],
                }
                assets.append(
                    asset(
                        f"//compute.googleapis.com/projects/{pid}/global/firewalls/fw-{i}", "compute.googleapis.com/Firewall", data, above
                    )
                )
            else:
                key = f"projects/{pid}/locations/europe-west2/keyRings/r/cryptoKeys/k{i}"
                data = {"name": key, "rotationPeriod": "7776000s", "primary": {"state": "ENABLED"}}
                assets.append(asset(f"//cloudkms.googleapis.com/{key}", "cloudkms.googleapis.com/CryptoKey", data, above, "europe-west2"))
    return {"provider": "gcp", "assets": assets}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--resources", type=int, default=5000)
    args = parser.parse_args()
    from cmm_scan.emulate import provider
    from cmm_scan.emulate.core import Emulator

    built = estate(args.projects, args.resources)
    print(f"estate: {len(built['assets'])} assets ({args.resources} resources) in {args.projects} projects")
    with Emulator(provider("gcp"), built, page_size=1000) as server, tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CMM_SCAN_GCP"))}
        env.update(server.env, BENCH_PEAK_FILE=str(peak_file))
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                "scan",
                "gcp",
                "--organization",
                "1",
                "--output-dir",
                str(Path(tmp) / "out"),
                "--format",
                "json",
                "--no-store",
                "-q",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if done.returncode not in (0, 4):
            sys.exit(done.stderr)
        peak = int(peak_file.read_text()) / 1024
        print(f"scan: {wall:.1f} s, {len(server.requests)} requests, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
