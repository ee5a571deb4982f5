"""The demo estate's repositories part, and the read-only contract proven with git's own trace."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cmm_scan.cli import main
from cmm_scan.engine import evaluate
from cmm_scan.rules import load_rules
from tests.repos.test_config import rich_repo

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
READ_ONLY_GIT = {"config", "for-each-ref", "rev-list", "rev-parse", "log", "ls-tree", "cat-file", "symbolic-ref"}


def test_demo_repositories_with_the_demo_cloud_export_levels():
    """Five GitHub Flow repositories, every one with a pinned, tested pipeline and a dependency bot, pooled with
    the demo AWS organisation: 'such as GitHubFlow' (version control 5), 'we lock down artefact dependencies'
    (build artefacts 4), 'all code is checked and updated regularly' (supply chain, at least 3)."""
    parts = [FIXTURES / "demo" / "repos.snapshot.jsonl", *sorted((FIXTURES / "demo").glob("aws-org.shard-*.jsonl"))]
    wanted = ("gov.version_control", "gov.build_artefacts", "sec.supply_chain", "ops.cicd")
    results = {r.id: r for r in evaluate(parts, [r for r in load_rules() if r.id in wanted]).results}
    assert results["gov.version_control"].answer == 5
    assert results["gov.build_artefacts"].answer == 4
    assert (results["sec.supply_chain"].status, results["sec.supply_chain"].answer) == ("floor", 3)
    assert results["ops.cicd"].answer >= 1
    text = (FIXTURES / "demo" / "repos.snapshot.jsonl").read_text()
    assert "Report vulnerabilities" not in text and "/tmp" not in text  # no file content, no local path


def test_only_read_only_git_commands_run(tmp_path, monkeypatch):
    """GIT_TRACE logs every git command the scan starts: reads only (no fetch, clone, checkout or write)."""
    rich_repo(tmp_path / "src", "app")
    trace = tmp_path / "trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert main(["collect", "repos", str(tmp_path / "src"), "--output", str(tmp_path / "s.jsonl"), "-q"]) == 0
    commands = {m.group(1) for m in re.finditer(r"trace: built-in: git (?:-C \S+ )?(\S+)", trace.read_text())}
    assert commands and commands <= READ_ONLY_GIT, commands - READ_ONLY_GIT
    assert os.environ["GIT_TRACE"] == str(trace)
