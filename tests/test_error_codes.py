"""Error codes are declared once, in a domain's errors.py (or core.errors.Codes), and raised by name: a code that a
payload enum lacks cannot hide as a string literal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backend.core.errors import COMMON_CODES
from backend.schema import schema

BACKEND = Path(__file__).resolve().parent.parent / "backend"
RAISERS = {"DomainError", "_bad", "_refusal"}


def _calls() -> list[tuple[str, int, ast.expr]]:
    found = []
    for path in sorted(BACKEND.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in RAISERS:
                    found.append((str(path.relative_to(BACKEND)), node.lineno, node.args[0]))
    return found


def test_codes_are_raised_by_name_never_as_string_literals() -> None:
    literals = [f"{p}:{line}" for p, line, arg in _calls()
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    assert literals == [], "raise codes from an errors.py enum or core.errors.Codes: " + ", ".join(literals)


def test_every_domain_enum_is_in_its_payloads_and_distinct_from_the_common_codes() -> None:
    from backend.domains.accounts.errors import AccountCode
    from backend.domains.auth.errors import AuthCode
    from backend.domains.files.errors import FileCode
    from backend.domains.imports.errors import ImportCode
    from backend.domains.repairs.errors import RepairCode
    from backend.domains.residents.errors import ResidentCode
    from backend.domains.tenancy.errors import TenancyCode

    gql = schema._schema
    for enum, gql_name in ((AccountCode, "AccountErrorCode"), (AuthCode, "AuthErrorCode"),
                           (FileCode, "FileErrorCode"), (ImportCode, "ImportErrorCode"),
                           (RepairCode, "RepairErrorCode"), (ResidentCode, "ResidentErrorCode"),
                           (TenancyCode, "TenancyErrorCode")):
        exposed = set(gql.type_map[gql_name].values)  # type: ignore[union-attr]
        assert {c.value for c in enum} <= exposed, gql_name
        assert set(COMMON_CODES) <= exposed, gql_name
        assert not ({c.value for c in enum} & set(COMMON_CODES)), f"{enum.__name__} repeats a common code"


def test_a_code_missing_from_the_payload_enum_fails_loudly_outside_production(tmp_path: Path) -> None:
    from backend.core.errors import DomainError
    from backend.core.gql import to_error
    from backend.domains.residents.types import ResidentError
    from backend.settings import load_settings, override_settings

    override_settings(load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path)}))
    try:
        with pytest.raises(RuntimeError):
            to_error(ResidentError, DomainError("NO_SUCH_CODE"))
        assert to_error(ResidentError, DomainError("NOT_PENDING")).code.value == "NOT_PENDING"
    finally:
        override_settings(None)
