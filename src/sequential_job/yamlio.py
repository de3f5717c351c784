"""YAML through libyaml when PyYAML was built with it: the C parser and emitter read and write the same YAML 1.1 as
PyYAML's pure-Python ones (the same resolver and representers run on top), many times faster on the large renders
and values the tests and benchmarks pass through helm. Without libyaml, PyYAML's own classes are used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """Like yaml.safe_load."""
    return yaml.load(text, Loader=SafeLoader)


def load_all(text: str) -> Iterator[Any]:
    """Like yaml.safe_load_all."""
    return yaml.load_all(text, Loader=SafeLoader)
