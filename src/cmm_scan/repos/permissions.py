"""What a repository scan needs: read access, nothing else."""

from __future__ import annotations

LOCAL = (
    "# local checkouts: read access to the folders (git reads refs, history and the configuration files named in\n"
    "# providers/repos/classify.yaml); nothing is fetched, cloned or written"
)
GITHUB = (
    "# --github-org: a token in GITHUB_TOKEN, read-only. Fine-grained personal access token or GitHub App,\n"
    "# repository permissions (all repositories of the organisation):\n"
    "#   metadata: read         list repositories, branches, commits, rules for a branch (REST and GraphQL)\n"
    "#   contents: read         git tree of the default branch, CI/CD and other configuration files\n"
    "#   administration: read   classic branch protection of the default branch (GraphQL Ref.branchProtectionRule)\n"
    "#   actions: read          workflow runs (build durations; REST, only for repositories with workflows)\n"
    "# Reads only: GraphQL is asked queries (POST /graphql), never mutations.\n"
    "# A classic token needs the `repo` scope for private repositories (it grants write too: prefer fine-grained).\n"
    "# Without administration or actions the scan still runs: protection or run times are unknown, and coverage says why."
)


def permissions(fact_types: list[str]) -> str:
    wanted = [t for t in fact_types if t.startswith("repos.")]
    return LOCAL + "\n" + GITHUB + (f"\n# fact types: {', '.join(wanted)}" if wanted else "")
