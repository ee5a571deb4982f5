"""VPCs and flow logs, security groups, remote access, WAF web ACLs."""

from __future__ import annotations

import boto3

from tests.aws.iam_enforced import scan_as_user_allowed
from tests.aws.support import scan

REGION = "eu-west-2"


def _network() -> dict[str, str]:
    ec2 = boto3.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="flow")
    role = "arn:aws:iam::123456789012:role/flow-logs"
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName="flow", DeliverLogsPermissionArn=role)
    ssh = ec2.create_security_group(GroupName="ssh", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=ssh, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    web = ec2.create_security_group(GroupName="web", Description="https from anywhere", VpcId=vpc)["GroupId"]
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[https])
    everything = ec2.create_security_group(GroupName="all", Description="all from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=everything, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_network_interface(SubnetId=subnet, Groups=[web])
    return {"vpc": vpc, "ssh": ssh, "web": web, "all": everything}


def test_vpcs_and_security_groups(aws) -> None:
    ids = _network()
    result = scan(["network.vpc", "network.security_group"])

    assert result.one("network.vpc", ids["vpc"]) == {"is_default": False, "flow_logs": True}
    (default_vpc,) = [f.attributes for f in result.of("network.vpc") if f.attributes["is_default"]]
    assert default_vpc["flow_logs"] is False
    assert result.one("network.security_group", ids["ssh"]) == {
        "in_use": False,
        "open_to_internet": True,
        "admin_ports_open": True,
        "is_default": False,
    }
    assert result.one("network.security_group", ids["web"]) == {
        "in_use": True,
        "open_to_internet": True,
        "admin_ports_open": False,
        "is_default": False,
    }
    assert result.one("network.security_group", ids["all"])["admin_ports_open"] is True
    defaults = [f.attributes for f in result.of("network.security_group") if f.attributes["is_default"]]
    assert defaults and all(not d["open_to_internet"] for d in defaults)


def test_web_acls_regional_and_cloudfront(aws) -> None:
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"}
    acl = {"DefaultAction": {"Allow": {}}, "Rules": [], "VisibilityConfig": visibility}
    boto3.client("wafv2", REGION).create_web_acl(Name="api", Scope="REGIONAL", **acl)
    boto3.client("wafv2", "us-east-1").create_web_acl(Name="site", Scope="CLOUDFRONT", **acl)
    result = scan(["network.waf"])
    assert {(f.region, f.resource_id.rsplit("/", 2)[-2]) for f in result.of("network.waf")} == {(REGION, "api"), ("global", "site")}


def test_remote_access_is_an_honest_error_on_moto(aws) -> None:
    # moto implements neither DescribeClientVpnEndpoints nor DescribeVerifiedAccessInstances
    result = scan(["network.remote_access"])
    assert result.of("network.remote_access") == []
    assert result.status("ec2.client_vpn_endpoints") == {"error"}
    assert result.status("ec2.verified_access_instances") == {"error"}


def test_flow_logs_denied_leaves_flow_logs_unknown(aws, monkeypatch) -> None:
    ids = _network()
    scan_as_user_allowed(monkeypatch, ["sts:GetCallerIdentity", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"])
    result = scan(["network.vpc", "network.security_group"])
    assert result.one("network.vpc", ids["vpc"]) == {"is_default": False, "flow_logs": None}
    assert result.status("ec2.vpcs/join:flow_logs") == {"denied"}
    assert result.one("network.security_group", ids["ssh"])["in_use"] is None
    assert result.status("ec2.security_groups") == {"ok"}
    assert result.status("ec2.security_groups/join:interface_groups") == {"denied"}
