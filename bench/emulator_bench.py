"""Benchmark the emulators with the real SDKs: how fast a large estate loads and pages.

    python bench/emulator_bench.py            # 10,000 resources per provider
    python bench/emulator_bench.py 50000
    python bench/emulator_bench.py --json     # the estate as JSON: loads several times faster

For each provider it writes a YAML estate of N resources, loads it (parse + validate + index),
then reads every resource through the real SDK at the provider's largest page size: Azure
Resource Graph (1,000 a page), GCP searchAllResources (500), OCI Search (1,000). Prints wall
times, requests and rows per second.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("OCI_SDK_DEFAULT_RETRY_ENABLED", "false")


def azure_estate(n: int) -> dict[str, Any]:
    subs = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(10)]
    return {
        "provider": "azure",
        "subscriptions": [{"subscriptionId": s} for s in subs],
        "resources": [
            {
                "id": f"/subscriptions/{subs[i % 10]}/resourceGroups/rg{i % 50}/providers/Microsoft.Compute/virtualMachines/vm{i}",
                "type": "Microsoft.Compute/virtualMachines",
                "location": "uksouth",
                "tags": {"env": "prod" if i % 2 else "dev"},
                "properties": {"hardwareProfile": {"vmSize": "Standard_B2s"}, "provisioningState": "Succeeded"},
            }
            for i in range(n)
        ],
    }


def gcp_estate(n: int) -> dict[str, Any]:
    ancestors = ["projects/1", "organizations/9"]
    return {
        "provider": "gcp",
        "assets": [
            {
                "name": f"//compute.googleapis.com/projects/p/zones/europe-west2-a/instances/vm{i}",
                "assetType": "compute.googleapis.com/Instance",
                "ancestors": ancestors,
                "resource": {"version": "v1", "location": "europe-west2-a", "data": {"name": f"vm{i}", "status": "RUNNING"}},
            }
            for i in range(n)
        ],
    }


def oci_estate(n: int) -> dict[str, Any]:
    tenancy = "ocid1.tenancy.oc1..aaaabench"
    return {
        "provider": "oci",
        "tenancy": {"id": tenancy, "name": "bench", "homeRegionKey": "LHR"},
        "regionSubscriptions": [{"regionName": "uk-london-1", "regionKey": "LHR", "isHomeRegion": True}],
        "regional": {
            "uk-london-1": {
                "20160918/instances": [
                    {
                        "id": f"ocid1.instance.oc1.uk-london-1.aaaa{i}",
                        "compartmentId": tenancy,
                        "displayName": f"vm{i}",
                        "lifecycleState": "RUNNING",
                    }
                    for i in range(n)
                ]
            }
        },
    }


def read_azure(env: dict[str, str]) -> int:
    from azure.core.credentials import AccessToken
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    class Token:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken(env["AZURE_ACCESS_TOKEN"], int(time.time()) + 3600)

    client = ResourceGraphClient(Token(), base_url=env["CMM_SCAN_AZURE_ENDPOINT"], connection_verify=env["REQUESTS_CA_BUNDLE"])
    rows, token = 0, None
    while True:
        result = client.resources(
            QueryRequest(query="Resources | project id, name, location", options=QueryRequestOptions(skip_token=token, top=1000))
        )
        rows += len(result.data)
        token = result.skip_token
        if not token:
            return rows


def read_gcp(env: dict[str, str]) -> int:
    import google.auth
    from google.api_core.client_options import ClientOptions
    from google.cloud import asset_v1

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    client = asset_v1.AssetServiceClient(
        credentials=credentials, transport="rest", client_options=ClientOptions(api_endpoint=env["CMM_SCAN_GCP_ENDPOINT"])
    )
    return sum(1 for _ in client.search_all_resources(request={"scope": "organizations/9", "page_size": 500}))


def read_oci(env: dict[str, str]) -> int:
    import oci

    config = oci.config.from_file(env["OCI_CONFIG_FILE"])
    client = oci.resource_search.ResourceSearchClient(config, service_endpoint=env["CMM_SCAN_OCI_ENDPOINT"].format(region="uk-london-1"))
    details = oci.resource_search.models.StructuredSearchDetails(type="Structured", query="query instance resources")
    return len(oci.pagination.list_call_get_all_results(client.search_resources, details, limit=1000).data)


def main(n: int, as_json: bool) -> None:
    from cmm_scan.emulate import provider
    from cmm_scan.emulate.core import Emulator

    cases = {"azure": (azure_estate, read_azure), "gcp": (gcp_estate, read_gcp), "oci": (oci_estate, read_oci)}
    print("| provider | resources | load estate | read all | requests | rows/s |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (build, read) in cases.items():
            path = Path(tmp) / f"{name}.{'json' if as_json else 'yaml'}"
            path.write_text(json.dumps(build(n)) if as_json else yaml.safe_dump(build(n), sort_keys=False))
            with Emulator(provider(name), {"provider": name}, page_size=1000) as emulator:
                start = time.perf_counter()
                emulator.load(path)
                loaded = time.perf_counter() - start
                os.environ.update(emulator.env)
                start = time.perf_counter()
                rows = read(emulator.env)
                elapsed = time.perf_counter() - start
                assert rows == n, f"{name}: read {rows} of {n}"
                print(f"| {name} | {n:,} | {loaded:.2f} s | {elapsed:.2f} s | {len(emulator.requests)} | {rows / elapsed:,.0f} |")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 10_000, as_json="--json" in sys.argv)
