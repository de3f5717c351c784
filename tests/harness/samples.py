"""Sample values generated from JSON Schema definitions: for each field of a Kubernetes definition, a small value that
the definition accepts, so tests can set every field without a hand-written list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sequential_job import schema as values_schema

DEFS_PREFIX = "#/definitions/"
# Candidates for a string with a pattern; the first that matches is used (a quantity, a name, a duration).
PATTERNED = ("1", "x", "1s")


def kubernetes_sampler(version: str) -> Sampler:
    """A Sampler over the Kubernetes definitions of `version` as kubernetes-validate ships them (strict)."""
    return Sampler(values_schema.kubernetes_definitions(version), prefix="#/$defs/")


def kubernetes_fields(values_key: str) -> tuple[list[str], list[str]]:
    """For a top-level value that takes a Kubernetes definition's fields (`x-kubernetes-fields` in the schema's
    source, like `pod` and `job`): the fields it takes, in the definition's order, and those the chart owns."""
    source = values_schema.load_source()
    spec = source["properties"][values_key]["x-kubernetes-fields"]
    definition = values_schema.kubernetes_definitions(values_schema.definitions_version(source))[spec["of"]]
    owned = list(spec.get("except", ()))
    return [f for f in definition["properties"] if f not in owned], owned


class Sampler:
    """Makes sample values from a schema's `definitions` (the generated values.schema.json's, or a Kubernetes set)."""

    def __init__(self, definitions: Mapping[str, Any], prefix: str = DEFS_PREFIX, max_depth: int = 8):
        self.definitions = definitions
        self.prefix = prefix
        self.max_depth = max_depth

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow references: to a definition, or into one (`Def/properties/field`)."""
        while "$ref" in node:
            name, *path = node["$ref"][len(self.prefix) :].split("/")
            node = self.definitions[name]
            for part in path:
                node = node[part]
        return node

    def fields(self, definition: str) -> dict[str, Any]:
        """The field schemas of a named definition."""
        return dict(self.definitions[definition]["properties"])

    def sample(self, node: Mapping[str, Any], depth: int = 0) -> Any:
        """A small value `node` accepts: required fields of objects (or the first field when none is required),
        one item in lists and maps, the first non-empty value of an enum, and values that match patterns."""
        node = self.resolve(node)
        if "enum" in node:
            return next(v for v in node["enum"] if v not in (None, ""))
        for key in ("anyOf", "oneOf"):
            if key in node:
                branches = [b for b in node[key] if self.resolve(b).get("type") not in ("null", ["null"])]
                return self.sample(branches[0], depth)
        types = node.get("type", "object")
        kind = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return [self.sample(node.get("items", {"type": "string"}), depth + 1)]
        if kind == "string":
            pattern = node.get("pattern")
            return next(c for c in PATTERNED if re.search(pattern, c)) if pattern else "x"
        return {"integer": 1, "number": 1, "boolean": True}[kind]

    def _object(self, node: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = node.get("properties")
        if not properties:
            extra = node.get("additionalProperties")
            return {"x": self.sample(extra, depth + 1)} if isinstance(extra, Mapping) else {}
        if depth >= self.max_depth:
            return {}
        names = list(node.get("required") or sorted(properties)[:1])
        return {name: self.sample(properties[name], depth + 1) for name in names}


def prune(value: Any, node: Mapping[str, Any], sampler: Sampler) -> Any:
    """`value` without the object fields `node` (in sampler's definitions) does not know: what an older Kubernetes
    version would accept of a sample made from a newer one."""
    node = sampler.resolve(node)
    for key in ("anyOf", "oneOf"):
        if key in node:
            node = sampler.resolve(
                next(b for b in node[key] if sampler.resolve(b).get("type") not in ("null", ["null"]))
            )
    if isinstance(value, dict) and "properties" in node:
        props = node["properties"]
        return {k: prune(v, props[k], sampler) for k, v in value.items() if k in props}
    if isinstance(value, dict) and isinstance(node.get("additionalProperties"), Mapping):
        return {k: prune(v, node["additionalProperties"], sampler) for k, v in value.items()}
    if isinstance(value, list) and "items" in node:
        return [prune(v, node["items"], sampler) for v in value]
    return value


def contains(whole: Any, part: Any) -> bool:
    """Whether `part` is in `whole`: every key of a map part is in the whole map with a value containing it; lists
    and scalars are equal. (Values files merge over chart defaults, so a rendered map may hold more keys.)"""
    if isinstance(part, Mapping):
        return isinstance(whole, Mapping) and all(k in whole and contains(whole[k], v) for k, v in part.items())
    return whole == part
