"""Which projects a scan covers: Resource Manager v3 (organisation, folders with parents, projects)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cmm_scan.collect import in_shard
from cmm_scan.errors import UserError
from cmm_scan.gcp.options import Options
from cmm_scan.gcp.transport import GoogleApiError, Transport, classify

RM = "cloudresourcemanager.googleapis.com"


@dataclass(frozen=True)
class Project:
    id: str  # projectId, the fact scope
    number: str  # projects/<number>
    parent: str
    name: str = ""


@dataclass
class Hierarchy:
    organization: str | None = None
    folders: dict[str, str] = field(default_factory=dict)  # folders/N -> parent
    folder_names: dict[str, str] = field(default_factory=dict)
    projects: list[Project] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (scope, status, reason) not readable
    inventory_roots: list[str] = field(default_factory=list)  # where the inventory is read whole; else per project

    def ancestors(self, project: Project) -> list[str]:
        chain, parent = [], project.parent
        while parent and parent not in chain:
            chain.append(parent)
            parent = self.folders.get(parent, "")
        return chain

    def by_number(self) -> dict[str, Project]:
        return {p.number: p for p in self.projects}


def resolve(transport: Transport, options: Options) -> Hierarchy:
    """Every active project the credential sees, narrowed by --organization/--folders/--projects/--shard."""
    found = Hierarchy(organization=options.organization)
    if found.organization is None and not options.folders:
        found.organization = _visible_organization(transport)
    roots = list(options.folders) or ([found.organization] if options.organization else [])
    for root in roots:
        _walk_folders(transport, root, found)
    try:
        projects = [
            p
            for page in transport.pages(RM, "/v3/projects:search", {"query": "state:ACTIVE", "pageSize": 500})
            for p in page.get("projects", [])
        ]
    except GoogleApiError as exc:
        verdict = classify(exc)
        raise UserError(
            f"cannot list GCP projects: {verdict.reason}", "grant resourcemanager.projects.get (roles/browser) to the scanning identity"
        ) from None
    under = set(roots) | set(found.folders)
    include = {p.removeprefix("projects/") for p in options.projects_include}
    exclude = {p.removeprefix("projects/") for p in options.projects_exclude}
    seen: set[str] = set()
    for item in projects:
        project = Project(item["projectId"], item["name"], item.get("parent", ""), item.get("displayName", ""))
        keys = {project.id, project.number.removeprefix("projects/")}
        seen |= keys
        if roots and project.parent not in under:
            continue
        if (include and not keys & include) or keys & exclude or not in_shard(project.id, options.shard):
            continue
        found.projects.append(project)
    for missing in sorted(include - seen):
        found.refused.append(
            (missing, "denied", "project not visible to the credential (needs resourcemanager.projects.get), or it does not exist")
        )
    # one inventory read covers a whole organisation or folder; a project subset or a shard reads its own
    if not (include or options.shard):
        found.inventory_roots = list(options.folders) or ([found.organization] if found.organization else [])
    if not found.projects and not found.refused:
        raise UserError(
            "no active GCP project is visible to the credential in the given scope",
            "check --organization/--folders/--projects and the role grants",
        )
    return found


def _visible_organization(transport: Transport) -> str | None:
    try:
        orgs = [o for page in transport.pages(RM, "/v3/organizations:search") for o in page.get("organizations", [])]
    except GoogleApiError:
        return None  # projects without an organisation, or no right to see it: scan the projects
    return orgs[0]["name"] if len(orgs) == 1 else None


def _walk_folders(transport: Transport, root: str, found: Hierarchy) -> None:
    pending = [root]
    while pending:
        parent = pending.pop()
        try:
            for page in transport.pages(RM, "/v3/folders", {"parent": parent, "pageSize": 500}):
                for folder in page.get("folders", []):
                    found.folders[folder["name"]] = parent
                    found.folder_names[folder["name"]] = folder.get("displayName", "")
                    pending.append(folder["name"])
        except GoogleApiError as exc:
            verdict = classify(exc)
            found.refused.append((parent, verdict.status, f"cannot list its folders: {verdict.reason}"))
