"""Who makes control-plane changes: CloudTrail event history (LookupEvents), write events only.

One activity.changes fact per account and region. Each write event is classified, first match wins:

- iac: made through CloudFormation, or by a Terraform / OpenTofu / Pulumi / CDK client (user agent);
- (left out) made by an AWS service on its own account (Auto Scaling, service-linked roles):
  nobody chose to make that change, so it is neither manual nor automated delivery;
- console: a person in the web console (console session credentials, console user agent);
- pipeline: a CI/CD identity: web-identity (OIDC) federation such as GitHub Actions, or a role or
  user whose name says CodeBuild, CodePipeline, GitHub, GitLab, Jenkins, deploy, ...;
- other: everything else (people or scripts using the CLI or SDKs).

`cicd_identity` counts, across those kinds, the writes whose identity is a CI/CD identity, whatever tool
it ran: a GitHub Actions job applying Terraform is an `iac` write and still a pipeline deployment.

LookupEvents allows 2 requests a second per account and region, 50 events a page. The scan reads at
most MAX_PAGES pages, newest first; when it stops early, `window_days` is the span it really read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector

WINDOW_DAYS = 30
MAX_PAGES = 20
IAC_AGENTS = re.compile(r"terraform|opentofu|pulumi|aws-cdk|\bcdk/|cloudformation\.amazonaws\.com", re.IGNORECASE)
CONSOLE_AGENTS = re.compile(r"console\.amazonaws\.com|signin\.amazonaws\.com|console\.aws\.amazon\.com", re.IGNORECASE)
PIPELINE_NAMES = re.compile(
    r"codebuild|codepipeline|github|gitlab|jenkins|circleci|buildkite|bitbucket|azure-?devops|spacelift|atlantis"
    r"|pipeline|deploy|(^|[-_/])ci([-_/]|$)|cicd",
    re.IGNORECASE,
)
KINDS = ("console", "iac", "pipeline", "other")


def _identity_names(identity: dict[str, Any]) -> str:
    issuer = identity.get("sessionContext", {}).get("sessionIssuer", {})
    return " ".join(str(x) for x in (identity.get("arn"), issuer.get("arn"), issuer.get("userName"), identity.get("userName")) if x)


def _cicd_identity(identity: dict[str, Any]) -> bool:
    """Web-identity (OIDC) federation, or a role or user whose name says CodeBuild, GitHub, deploy, ..."""
    if identity.get("sessionContext", {}).get("webIdFederationData") or identity.get("type") == "WebIdentityUser":
        return True
    return bool(PIPELINE_NAMES.search(_identity_names(identity)))


def classify(record: dict[str, Any]) -> str | None:
    """The kind of change a CloudTrail record is; None for changes an AWS service made by itself."""
    identity = record.get("userIdentity") or {}
    agent = str(record.get("userAgent") or "")
    invoked_by = str(identity.get("invokedBy") or "")
    source_ip = str(record.get("sourceIPAddress") or "")
    if IAC_AGENTS.search(agent) or "cloudformation.amazonaws.com" in (invoked_by, source_ip):
        return "iac"
    if identity.get("type") == "AWSService" or record.get("eventType") == "AwsServiceEvent" or invoked_by.endswith(".amazonaws.com"):
        return None
    if str(record.get("sessionCredentialFromConsole")).lower() == "true" or CONSOLE_AGENTS.search(agent):
        return "console"
    if _cicd_identity(identity):
        return "pipeline"
    return "other"


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def changes(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    end = datetime.now(UTC)
    start = end - timedelta(days=WINDOW_DAYS)
    params: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
        "StartTime": start,
        "EndTime": end,
        "PaginationConfig": {"PageSize": 50},
    }
    counts = dict.fromkeys(KINDS, 0)
    cicd = 0
    oldest: datetime | None = None
    stopped_early = False
    for page_number, page in enumerate(run.pages("cloudtrail", "lookup_events", params), start=1):
        for event in page.get("Events", []):
            record = json.loads(event.get("CloudTrailEvent") or "{}")
            kind = classify(record)
            if kind is not None:
                counts[kind] += 1
                cicd += kind == "pipeline" or (kind == "iac" and _cicd_identity(record.get("userIdentity") or {}))
            when = _time(event.get("EventTime"))
            if when and (oldest is None or when < oldest):
                oldest = when
        if page_number >= MAX_PAGES and page.get("NextToken"):
            stopped_early = True
            break
    window = WINDOW_DAYS
    if stopped_early and oldest is not None:
        window = min(WINDOW_DAYS, max(1, math.ceil((end - oldest).total_seconds() / 86400)))
    yield FactOut(
        resource_id=f"arn:{run.scope.partition}:cloudtrail:{run.client_region}:{run.account}:activity/changes",
        attributes={"window_days": window, "total": sum(counts.values()), **counts, "cicd_identity": cicd},
    )
