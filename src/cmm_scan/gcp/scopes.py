"""Which projects a scan covers: Resource Manager v3 (organisation, folders with parents, projects)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cmm_scan.cloud.executor import fill
from cmm_scan.cloud.spec import Request
from cmm_scan.cloud.transport import CloudError, Prepared, Transport
from cmm_scan.collect import in_shard
from cmm_scan.errors import UserError
from cmm_scan.gcp.options import Options
from cmm_scan.gcp.transport import classify

RM = "cloudresourcemanager.googleapis.com"
# The requests the plan makes before any collector (their permissions join the printed role).
PLAN_REQUESTS = {
    "organizations": Request(
        operation="cloudresourcemanager.organizations.search",
        api=RM,
        permissions=["resourcemanager.organizations.get"],
        path="/v3/organizations:search",
        items="organizations",
        paging="page_token",
    ),
    "folders": Request(
        operation="cloudresourcemanager.folders.list",
        api=RM,
        permissions=["resourcemanager.folders.list"],
        path="/v3/folders",
        query={"parent": "{parent}"},
        items="folders",
        paging="page_token",
        page_size=500,
    ),
    "projects": Request(
        operation="cloudresourcemanager.projects.search",
        api=RM,
        permissions=["resourcemanager.projects.get"],
        path="/v3/projects:search",
        query={"query": "state:ACTIVE"},
        items="projects",
        paging="page_token",
        page_size=500,
    ),
}


def listed(transport: Transport, name: str, **values: Any) -> Iterator[Any]:
    """The items of one of the plan's requests, every page."""
    request = PLAN_REQUESTS[name]
    prepared = Prepared(
        operation=request.operation,
        api=request.api,
        method=request.method,
        path=fill(request.path, values),
        query=fill(request.query, values),
        paging=request.paging,
        page_size=request.page_size,
    )
    for page in transport.pages(prepared):
        yield from (page or {}).get(request.items, [])


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
    policies_refused: list[tuple[str, str, str]] = field(default_factory=list)  # where policies cannot be attributed
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
    if not roots and found.organization:  # a discovered organisation: its folders only name where policies are set
        unsure = Hierarchy()
        _walk_folders(transport, found.organization, unsure)
        found.folders, found.folder_names, found.policies_refused = unsure.folders, unsure.folder_names, unsure.refused
    try:
        projects = list(listed(transport, "projects"))
    except CloudError as exc:
        raise UserError(
            f"cannot list GCP projects: {classify(exc)[1]}", "grant resourcemanager.projects.get (roles/browser) to the scanning identity"
        ) from None
    under = set(roots) | set(found.folders)
    include = {p.removeprefix("projects/") for p in options.projects_include}
    exclude = {p.removeprefix("projects/") for p in options.projects_exclude}
    seen: set[str] = set()
    for item in projects:
        number = str(item.get("name") or "")
        if not number.startswith("projects/"):
            continue  # not a project Resource Manager could name: nothing to scope its facts to
        # projectId is always set by Google; without it the project is scoped by its number
        project_id = str(item.get("projectId") or number.removeprefix("projects/"))
        project = Project(project_id, number, item.get("parent", ""), item.get("displayName", ""))
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
    # an organisation named on the command line is scanned even with no project in it (its own policies and IAM)
    if not found.projects and not found.refused and not options.organization:
        raise UserError(
            "no active GCP project is visible to the credential in the given scope",
            "check --organization/--folders/--projects and the role grants",
        )
    return found


def _visible_organization(transport: Transport) -> str | None:
    try:
        orgs = list(listed(transport, "organizations"))
    except CloudError:
        return None  # projects without an organisation, or no right to see it: scan the projects
    return orgs[0]["name"] if len(orgs) == 1 else None


def _walk_folders(transport: Transport, root: str, found: Hierarchy) -> None:
    pending = [root]
    while pending:
        parent = pending.pop()
        try:
            for folder in listed(transport, "folders", parent=parent):
                found.folders[folder["name"]] = parent
                found.folder_names[folder["name"]] = folder.get("displayName", "")
                pending.append(folder["name"])
        except CloudError as exc:
            status, reason = classify(exc)
            found.refused.append((parent, status, f"cannot list its folders: {reason}"))
