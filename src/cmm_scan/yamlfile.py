"""Load YAML into pydantic models with errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cmm_scan.errors import UserError
from cmm_scan.infiles import read_text

Model = TypeVar("Model", bound=BaseModel)


def load_yaml_model(path: Path, model: type[Model], hint: str = "") -> tuple[Model, yaml.Node]:
    """Parse `path` and validate it as `model`; any problem becomes one UserError line."""
    text = read_text(path, hint, "YAML")
    try:
        node, data, twice = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}{where}: not valid YAML: {problem}", hint) from None
    except ValueError as exc:  # a date that does not exist, such as 2026-02-30, fails after parsing
        bad = _bad_timestamp(yaml.compose(text, Loader=yaml.SafeLoader))
        where = f":{bad.start_mark.line + 1}" if bad else ""
        value = f" '{bad.value}'" if bad else ""
        raise UserError(f"{path}{where}: not a valid date{value}: {exc}", hint) from None
    if node is None:
        raise UserError(f"{path}: file is empty", hint)
    if twice is not None:  # YAML keeps the last silently: half of what was written would be ignored
        raise UserError(f"{path}:{twice.start_mark.line + 1}: '{twice.value}' is given twice in the same mapping", hint)
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"]]
        line = line_of(node, error["loc"])
        field = ".".join(loc) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise UserError(f"{path}:{line}: {field}: {error['msg']}{more}", hint) from None


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated values out in full: `&id001` anchors and `*id001` aliases mean nothing to a person."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """YAML for people: keys in their order, Unicode as is, no anchors."""
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True)


def _repeated_key(node: yaml.Node) -> yaml.ScalarNode | None:
    """The second occurrence of the first key written twice in one mapping (merge keys aside)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in seen:
                        return key
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
    return None


def _bad_timestamp(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The first date-like scalar that is not a real date."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return node
        return None
    children = node.value if isinstance(node, yaml.SequenceNode) else [c for kv in node.value for c in kv] if node else []
    return next((bad for child in children if (bad := _bad_timestamp(child)) is not None), None)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: several times faster


def _parse(text: str) -> tuple[yaml.Node | None, Any, yaml.ScalarNode | None]:
    """Parse once into the node tree (for line numbers) and build the data from that tree; also the first
    key written twice in one mapping, looked for before building (building folds `<<` merges in)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, None
        twice = _repeated_key(node)
        return node, loader.construct_document(node), twice
    finally:
        loader.dispose()


def line_of(node: yaml.Node, loc: tuple[Any, ...] | list[Any]) -> int:
    """1-based line of the deepest node reachable along a pydantic error location."""
    current = node
    for part in loc:
        child = _child(current, part)
        if child is None:
            break
        current = child
    return current.start_mark.line + 1


def _child(node: yaml.Node, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None
