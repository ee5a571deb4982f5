"""Builders shared by the security-platform estates (test_sec_platform.py, test_csmm_platform.py).

moto 5.2 does not implement Detective (ListGraphs), IAM Access Analyzer (ListAnalyzers), EC2 Client
VPN (DescribeClientVpnEndpoints) or Verified Access (DescribeVerifiedAccessInstances). Detective
and Access Analyzer write `security.service` facts, so on bare moto that whole fact type is
incomplete and every GuardDuty, Security Hub and Inspector share is unknown. `moto_gaps` serves
those calls to the real boto3 client: the two JSON services from `tests/aws/fixture_server.py`,
the two EC2 (query/XML) calls by adding the missing actions to moto's own EC2 responder, with the
response shapes in `fixtures/aws-recorded/`. Every other call is moto's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION
from tests.aws.fixture_server import RECORDED, FixtureServer, recorded, serving

MEMBER_ROLE = "OrganizationAccountAccessRole"
NO_ANALYZERS = {"analyzers": []}
NO_GRAPHS = {"GraphList": []}


@dataclass
class Gaps:
    """The served answers for what moto lacks; tests switch them on per estate."""

    detective: FixtureServer
    monkeypatch: Any
    client_vpn: bool = False
    verified_access: bool = False

    def detective_on(self) -> None:
        self.detective.routes["POST /graphs/list"] = [(200, recorded("detective-list-graphs.json"))]

    def remote_access(self, client_vpn: bool = False, verified_access: bool = False) -> None:
        """DescribeClientVpnEndpoints / DescribeVerifiedAccessInstances answer one endpoint or instance (else none)."""
        self.client_vpn, self.verified_access = client_vpn, verified_access


def serve_moto_gaps(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gaps]:
    """Inside the `aws` fixture: Detective and Access Analyzer answer "none", and so do Client VPN
    and Verified Access, until a test says otherwise. Each module wraps it as its `moto_gaps` fixture."""
    from moto.ec2.responses import EC2Response
    from moto.iam.access_control import IAMRequest

    # With IAM checks on (`deny`), moto 5.2 rejects its own SigV4 on GuardDuty and Security Hub
    # (SignatureDoesNotMatch) before it evaluates the policy: skip that check, keep the policy's.
    monkeypatch.setattr(IAMRequest, "_raise_signature_does_not_match", lambda self: None)
    with (
        serving(monkeypatch, "ACCESSANALYZER", {"GET /analyzer": [(200, NO_ANALYZERS)]}),
        serving(monkeypatch, "DETECTIVE", {"POST /graphs/list": [(200, NO_GRAPHS)]}) as detective,
    ):
        gaps = Gaps(detective, monkeypatch)

        def client_vpn_endpoints(self: EC2Response) -> str:
            return _ec2_xml("DescribeClientVpnEndpoints", "ec2-describe-client-vpn-endpoints.xml", gaps.client_vpn, "clientVpnEndpoint")

        def verified_access_instances(self: EC2Response) -> str:
            fixture = "ec2-describe-verified-access-instances.xml"
            return _ec2_xml("DescribeVerifiedAccessInstances", fixture, gaps.verified_access, "verifiedAccessInstanceSet")

        monkeypatch.setattr(EC2Response, "describe_client_vpn_endpoints", client_vpn_endpoints, raising=False)
        monkeypatch.setattr(EC2Response, "describe_verified_access_instances", verified_access_instances, raising=False)
        yield gaps


def _ec2_xml(action: str, fixture: str, present: bool, list_element: str) -> str:
    if present:
        return (RECORDED / fixture).read_text()
    ns = "http://ec2.amazonaws.com/doc/2016-11-15/"
    return f'<{action}Response xmlns="{ns}"><requestId>served-empty</requestId><{list_element}/></{action}Response>'


# --- estate builders ------------------------------------------------------------------------------


def member_accounts(n: int) -> list[boto3.Session]:
    """An organisation with `n` member accounts; a session in each (the scanner's member role)."""
    org = boto3.client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    sessions = []
    for i in range(n):
        account = org.create_account(AccountName=f"member{i}", Email=f"member{i}@example.org")["CreateAccountStatus"]["AccountId"]
        role = f"arn:aws:iam::{account}:role/{MEMBER_ROLE}"
        creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="estate")["Credentials"]
        keys = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"]}
        sessions.append(boto3.Session(**keys, aws_session_token=creds["SessionToken"]))
    return sessions


def log_archive(bucket: str = "audit-archive", locked: bool = True, session: Any = boto3) -> str:
    """A trail bucket; `locked` turns on S3 Object Lock in compliance mode (the store "can't be changed")."""
    s3 = session.client("s3", REGION)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}, ObjectLockEnabledForBucket=locked)
    if locked:
        s3.put_object_lock_configuration(
            Bucket=bucket,
            ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 400}}},
        )
    return bucket


def trail(
    name: str = "management",
    bucket: str | None = None,
    organization: bool = False,
    validation: bool = True,
    locked: bool = True,
    session: Any = boto3,
) -> None:
    """A multi-region trail, logging, with file validation unless told otherwise."""
    bucket = bucket or log_archive(f"{name}-trail-logs", locked=locked, session=session)
    cloudtrail = session.client("cloudtrail", REGION)
    cloudtrail.create_trail(
        Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=validation, IsOrganizationTrail=organization
    )
    cloudtrail.start_logging(Name=name)


def guardduty(*regions: str, session: Any = boto3) -> None:
    for region in regions or (REGION,):
        session.client("guardduty", region).create_detector(Enable=True)


def securityhub(*regions: str, session: Any = boto3) -> None:
    for region in regions or (REGION,):
        session.client("securityhub", region).enable_security_hub(EnableDefaultStandards=False)


def inspector(*regions: str, account: str = ACCOUNT, session: Any = boto3) -> None:
    for region in regions or (REGION,):
        session.client("inspector2", region).enable(resourceTypes=["EC2", "ECR", "LAMBDA"], accountIds=[account])


def route_findings(target: str = "sns", region: str = REGION, session: Any = boto3, source: str = "aws.guardduty") -> None:
    """An EventBridge rule on security findings with one target (a topic, or a response function)."""
    account = session.client("sts").get_caller_identity()["Account"]
    arn = {
        "sns": f"arn:aws:sns:{region}:{account}:security-alerts",
        "lambda": f"arn:aws:lambda:{region}:{account}:function:quarantine-instance",
    }[target]
    events = session.client("events", region)
    events.put_rule(Name=f"{source}-findings", EventPattern=json.dumps({"source": [source], "detail-type": ["GuardDuty Finding"]}))
    events.put_targets(Rule=f"{source}-findings", Targets=[{"Id": "respond", "Arn": arn}])


def instance_with_group(ingress: list[dict[str, Any]], region: str = REGION, vpc: str | None = None) -> str:
    """A running instance whose only security group allows `ingress`; in the default VPC unless `vpc` is given."""
    ec2 = boto3.client("ec2", region)
    if vpc is None:
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    else:
        cidr = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlock"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("/16", "/24"))["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"app-{len(ingress)}-{subnet}", Description="app", VpcId=vpc)["GroupId"]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=ingress)
    ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[group])
    return group


def custom_vpc(region: str = REGION, cidr: str = "10.20.0.0/16") -> str:
    return boto3.client("ec2", region).create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def flow_logs_everywhere(region: str = REGION) -> None:
    """Flow logs on every VPC in the region, the default one included, to a log group."""
    ec2 = boto3.client("ec2", region)
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    ec2.create_flow_logs(
        ResourceIds=vpcs,
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="vpc-flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
    )


def port(number: int, protocol: str = "tcp", cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"IpProtocol": protocol, "FromPort": number, "ToPort": number, "IpRanges": [{"CidrIp": cidr}]}


SSH, RDP, HTTPS = port(22), port(3389), port(443)
ADMIN_FROM_OFFICE = port(22, cidr="203.0.113.0/24")
