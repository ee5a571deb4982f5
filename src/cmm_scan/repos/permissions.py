"""What a repository scan needs: read access, nothing else."""

from __future__ import annotations

LOCAL = (
    "# local checkouts: read access to the folders (git reads refs, history and the configuration files named in\n"
    "# providers/repos/classify.yaml); nothing is fetched, cloned or written"
)


def permissions(fact_types: list[str]) -> str:
    wanted = [t for t in fact_types if t.startswith("repos.")]
    return LOCAL + (f"\n# fact types: {', '.join(wanted)}" if wanted else "")
