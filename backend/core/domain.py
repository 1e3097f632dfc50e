"""A domain's contribution to the app, declared in one place: `backend/domains/<name>/domain.py` builds a `Domain`,
and `backend/domains/registry.py` lists them. `backend/schema.py` merges their GraphQL parts, `backend/main.py`
mounts their routes, settings' MODEL_MODULES must name their models (a test checks), and `parts` are the modules
that register what the domain offers elsewhere: visibility rules (access), batch loaders (loaders), node
resolvers (queries), exports, jobs. Nothing is imported for its side effects anywhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Domain:
    name: str
    query: type | None = None
    mutation: type | None = None
    subscription: type | None = None
    # Modules whose import registers the domain's rules, loaders, nodes, exports and jobs (imported by domain.py,
    # listed here so a forgotten one is visible, and checked by tests/test_domains.py).
    parts: tuple[ModuleType, ...] = ()
    # Non-GraphQL routes (downloads, payment notifications).
    routes: Callable[[], list[Any]] | None = None
    # The Tortoise models module, if the domain has tables.
    models: str | None = None
