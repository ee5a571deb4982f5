"""Provider options: declared per cloud, parsed once at the edge into typed options, shown per cloud in --help."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from cmm_scan.cli import build_parser, main, provider_options
from cmm_scan.flags import COMMON_FLAGS, SCANNABLE
from cmm_scan.models import ScopeInfo, SnapshotHeader
from cmm_scan.options import ProviderOptions, module_of

SRC = Path(__file__).resolve().parents[1] / "src" / "cmm_scan"
CLI_MODULES = {"cli.py", "history_cli.py", "rules_cli.py", "emulate/command.py", "policy/cli.py"}  # relative to src/cmm_scan


def options(*argv: str) -> ProviderOptions:
    return provider_options(build_parser().parse_args(["collect", *argv]))


def test_each_cloud_declares_typed_options_whose_flags_fill_its_fields():
    for provider in SCANNABLE:
        module = module_of(provider)
        assert issubclass(module.Options, ProviderOptions) and module.TITLE and module.CREDENTIALS
        fields = set(module.Options.model_fields)
        for flag in (*COMMON_FLAGS, *module.FLAGS):
            wanted = {f"{flag.dest}_include", f"{flag.dest}_exclude"} if flag.kind == "filter" else {flag.dest}
            assert wanted <= fields, f"{provider}: {flag.name} fills no field"


def test_the_command_line_becomes_the_clouds_own_typed_options():
    aws = options("aws", "--org", "--accounts", "111111111111, !222222222222", "--regions", "eu-west-2,eu-west-1", "--shard", "2/4")
    assert type(aws).__module__ == "cmm_scan.aws.options"
    assert (aws.org, aws.accounts_include, aws.accounts_exclude) == (True, ["111111111111"], ["222222222222"])
    assert (aws.regions, aws.shard, aws.workers, aws.member_role) == (
        ["eu-west-2", "eu-west-1"],
        (2, 4),
        8,
        "OrganizationAccountAccessRole",
    )

    azure = options("azure", "--tenant", "t-1", "--subscriptions", "!sub-b", "--management-group", "mg-a,mg-b")
    assert (azure.tenant, azure.subscriptions_include, azure.subscriptions_exclude) == ("t-1", [], ["sub-b"])
    assert azure.management_groups == ["mg-a", "mg-b"]

    gcp = options("gcp", "--organization", "123", "--folders", "11", "--projects", "p1,!p2")
    assert (gcp.organization, gcp.folders, gcp.projects_include, gcp.projects_exclude) == (
        "organizations/123",
        ["folders/11"],
        ["p1"],
        ["p2"],
    )

    oci = options("oci", "--auth", "instance_principal", "--compartments", "ocid1.compartment.oc1..a", "--workers", "3")
    assert (oci.auth, oci.compartments_include, oci.workers, oci.config_file) == (
        "instance_principal",
        ["ocid1.compartment.oc1..a"],
        3,
        None,
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["azure", "--profile", "audit"],
            "--profile is an AWS option; for azure use --tenant, --subscriptions, --management-group",
        ),
        (["aws", "--compartments", "x"], "--compartments is an OCI option; for aws use --profile,"),
        (["gcp", "--subscriptions", "s"], "--subscriptions is an Azure option; for gcp use --organization,"),
        (["oci", "--folders", "f"], "--folders is a GCP option; for oci use --tenancy,"),
        (["aws", "--workers", "0"], "--workers: "),
        (["aws", "--shard", "5/4"], "--shard 5/4: i must be between 1 and n"),
    ],
)
def test_an_option_of_another_cloud_or_a_bad_value_is_one_line_and_exit_2(argv, line, capsys, tmp_path):
    assert main(["collect", *argv, "--output", str(tmp_path / "s.jsonl.gz")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"cmm-scan: error: {line}") and "\n" not in err
    assert not list(tmp_path.iterdir())


def test_help_groups_the_options_per_cloud_with_their_credential_sources(capsys):
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    out = capsys.readouterr().out
    for provider in SCANNABLE:
        module = module_of(provider)
        section = out.split(f"\n{module.TITLE}:\n", 1)[1].split("\n\n", 2)
        assert "credentials:" in section[0]
        for flag in module.FLAGS:
            assert flag.name in section[1], f"{flag.name} not under {module.TITLE}"


def test_permissions_are_rendered_text_from_the_adapter(capsys):
    assert main(["permissions", "aws", "--questions", "sec.mfa"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert policy["Statement"][0]["Effect"] == "Allow"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_argparse_below_the_cli_and_nothing_imports_the_cli_back():
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).as_posix() in CLI_MODULES:
            continue
        names = _imports(path)
        assert "argparse" not in names, f"{path.relative_to(SRC)} uses argparse below the CLI"
        assert "cmm_scan.cli" not in names, f"{path.relative_to(SRC)} imports the CLI back"


def test_options_modules_import_no_cloud_sdk():
    sdk_roots = {"boto3", "botocore", "azure", "google", "oci"}
    for provider in SCANNABLE:
        names = _imports(SRC / provider / "options.py")
        assert not {n.split(".")[0] for n in names} & sdk_roots, provider


def test_the_neutral_scope_model_reads_old_headers_and_carries_a_parent():
    old = {"record": "header", "tool_version": "0.1.0", "provider": "aws", "started_at": "2026-01-01T00:00:00Z"}
    old["scopes"] = [{"id": "111111111111", "kind": "account", "name": "a"}]
    assert SnapshotHeader.model_validate(old).scopes[0].parent is None
    project = ScopeInfo(id="p-1", kind="project", parent="folders/42")
    assert ScopeInfo.model_validate(project.model_dump()) == project
    for kind in ("tenant", "management_group", "folder", "repository"):
        ScopeInfo(id="x", kind=kind)
