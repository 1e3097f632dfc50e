"""The schema is a contract: the committed SDL matches the live schema, and every type and field is described."""

from __future__ import annotations

import difflib

from graphql import is_enum_type, is_input_object_type, is_interface_type, is_object_type, is_scalar_type

from backend.cli import ROOT, export_schema
from backend.schema import schema

SDL = ROOT / "schema.graphql"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_committed_sdl_matches_the_live_schema() -> None:
    assert SDL.exists(), "schema.graphql is missing: run scripts/export-schema and commit it"
    committed, live = SDL.read_text(), export_schema()
    if committed != live:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), live.splitlines(True),
                                            "schema.graphql (committed)", "live schema", n=2))
        raise AssertionError(
            "schema.graphql differs from the live schema: run scripts/export-schema, review the diff and "
            f"commit it (clients are generated from it).\n{diff[:6000]}"
        )


def _undescribed() -> list[str]:
    missing: list[str] = []
    for name, t in sorted(schema._schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue  # introspection and the spec's scalars are described by the spec
        if not (is_object_type(t) or is_interface_type(t) or is_input_object_type(t) or is_enum_type(t)
                or is_scalar_type(t)):
            missing.append(f"{name} (unchecked kind: teach this test)")
            continue
        if not (t.description or "").strip():
            missing.append(name)
        if is_object_type(t) or is_interface_type(t) or is_input_object_type(t):
            missing += [f"{name}.{f}" for f, d in t.fields.items() if not (d.description or "").strip()]
    return missing


def test_every_type_and_field_has_a_description() -> None:
    missing = _undescribed()
    assert not missing, f"add a description to: {', '.join(missing)}"
