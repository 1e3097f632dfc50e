"""Domains register themselves explicitly: each folder declares one Domain, the registry lists them all, and what a
domain registers elsewhere (rules, loaders, nodes, exports) is named in its Domain, never imported for its side
effects by someone else."""

from __future__ import annotations

from pathlib import Path

from backend.core.context import unregistered_keys
from backend.domains.registry import DOMAINS
from backend.settings import MODEL_MODULES

DOMAINS_DIR = Path(__file__).resolve().parent.parent / "backend" / "domains"
REGISTERING = ("access", "loaders", "exports")


def _folders() -> set[str]:
    return {p.name for p in DOMAINS_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def test_every_domain_folder_is_in_the_registry() -> None:
    assert {d.name for d in DOMAINS} == _folders()
    assert all((DOMAINS_DIR / name / "domain.py").exists() for name in _folders())


def test_a_domains_registering_modules_are_named_in_its_parts() -> None:
    for d in DOMAINS:
        named = {m.__name__.rsplit(".", 1)[1] for m in d.parts}
        present = {n for n in REGISTERING if (DOMAINS_DIR / d.name / f"{n}.py").exists()}
        assert present <= named, f"{d.name}: add {sorted(present - named)} to its Domain's parts"


def test_every_loader_key_has_its_batch() -> None:
    # A key declared apart from its batch (to spare an import cycle) is registered by the module that holds the
    # batch, which must then be one of its domain's parts.
    assert unregistered_keys() == []


def test_the_orm_loads_exactly_the_domains_models() -> None:
    assert set(MODEL_MODULES) == {d.models for d in DOMAINS if d.models}


def test_nothing_is_imported_for_its_side_effects_outside_domain_py() -> None:
    offenders = []
    for path in (DOMAINS_DIR.parent).rglob("*.py"):
        if path.name == "domain.py" or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith("from backend.domains") and "noqa: F401" in line:
                offenders.append(f"{path.relative_to(DOMAINS_DIR.parent.parent)}:{n}")
    assert offenders == [], offenders
