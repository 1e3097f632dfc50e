"""Every action the backend records has a label in Chinese and English, shown instead of its code."""

from __future__ import annotations

import ast
from pathlib import Path

from backend.core.context import Context, Principal
from backend.core.ids import encode_id
from backend.domains.audit.actions import ACTIONS
from backend.domains.audit.service import record
from tests.factories import make_world, token_for

ROOT = Path(__file__).resolve().parents[3] / "backend"


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def recorded_actions() -> tuple[set[str], list[str]]:
    """Codes given to run_mutation(audit=...) in the source: literals, conditionals, and the literal arguments of a
    helper whose parameter is passed on (`_dispatch(info, id, "ticket.accept", ...)`); and the other expressions."""
    found: set[str] = set()
    dynamic: list[str] = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers: dict[str, int] = {}  # function name -> index of the parameter passed as audit=
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in fn.args.args]
            for call in ast.walk(fn):
                for kw in getattr(call, "keywords", []) if isinstance(call, ast.Call) else []:
                    if kw.arg != "audit":
                        continue
                    if isinstance(kw.value, ast.Name) and kw.value.id in params:
                        helpers[fn.name] = params.index(kw.value.id)
                    elif strings := _strings(kw.value):
                        found.update(strings)
                    elif not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                        dynamic.append(f"{path.name}: {ast.unparse(kw.value)}")
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in helpers:
                i = helpers[call.func.id]
                if i < len(call.args):
                    found.update(_strings(call.args[i]))
    return found, dynamic


def test_every_action_in_the_source_has_a_label():
    found, _ = recorded_actions()
    assert {"unit.create", "ticket.accept", "ticket.locationConsent", "repairCategory.create"} <= found
    missing = sorted(found - set(ACTIONS))
    assert missing == [], f"label these in backend/domains/audit/actions.py: {missing}"


def test_actions_built_at_run_time_have_labels():
    # tenancy builds two kinds of codes; each value they can take is listed
    _, dynamic = recorded_actions()
    assert sorted(dynamic) == ["mutations.py: 'company.' + status.value", "mutations.py: type_name.lower() + '.delete'"]
    for code in ("company.active", "company.disabled", "community.delete", "building.delete", "unit.delete"):
        assert code in ACTIONS


def test_labels_are_given_in_both_languages():
    for code, (zh, en) in ACTIONS.items():
        assert zh.strip() and en.strip() and zh != code and en != code, code


async def test_an_unlabelled_action_fails_loudly_outside_production(app):
    w = await make_world("A")
    ctx = Context(principal=Principal(user_id=w.admin.id, session_id="s", company_id=w.company.id,
                                      is_platform_admin=False))
    try:
        await record(ctx=ctx, action="unit.teleport")
    except RuntimeError as exc:
        assert "actions.py" in str(exc)
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("an unlabelled action was recorded silently")


async def test_the_log_shows_the_actions_label(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    await api.gql("""mutation($b: ID!) { unitCreate(buildingId: $b, input: {number: "1502", floor: 15, area: "99.5"}) {
      unit { id } errors { code } } }""", {"b": encode_id("Building", w.building.id)}, token=token)
    data = await api.gql("{ auditLogs { nodes { action actionName actionNameEn } } auditActions { code name nameEn } }",
                         token=token)
    assert data["auditLogs"]["nodes"] == [{"action": "unit.create", "actionName": "新建房屋",
                                           "actionNameEn": "Create unit"}]
    assert {"code": "unit.create", "name": "新建房屋", "nameEn": "Create unit"} in data["auditActions"]
