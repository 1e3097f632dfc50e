"""What each permission means, for people: its domain group and its descriptions in Chinese and English.

The role-template editor lists permissions from here (the `permissions` query), so a new domain's permissions appear
in the console without a change there; tests/domains/accounts/test_permission_catalog.py fails when a permission of
core.permissions.Perm has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.core.permissions import Perm


@dataclass(frozen=True)
class PermGroup:
    code: str
    name: str
    name_en: str


TENANCY = PermGroup("tenancy", "公司与小区", "Company and communities")
RESIDENTS = PermGroup("residents", "业主与住户", "Owners and residents")
ACCOUNTS = PermGroup("accounts", "员工", "Staff")
AUDIT = PermGroup("audit", "操作日志", "Audit log")
GATES = PermGroup("gates", "门禁", "Gates")
REPAIRS = PermGroup("repairs", "报修", "Repairs")
# The order groups are shown in.
GROUPS: tuple[PermGroup, ...] = (TENANCY, RESIDENTS, ACCOUNTS, REPAIRS, GATES, AUDIT)

PERMISSIONS: dict[Perm, tuple[PermGroup, str, str]] = {
    Perm.COMPANY_MANAGE: (TENANCY, "管理公司资料与设置", "Manage the company's details and settings"),
    Perm.COMMUNITY_READ: (TENANCY, "查看小区、楼栋", "View communities and buildings"),
    Perm.COMMUNITY_WRITE: (TENANCY, "新建、修改、删除小区与楼栋", "Create, edit and delete communities and buildings"),
    Perm.UNIT_READ: (TENANCY, "查看房屋", "View units"),
    Perm.UNIT_WRITE: (TENANCY, "新建、修改、删除房屋，导入房屋", "Create, edit, delete and import units"),
    Perm.OWNER_READ: (RESIDENTS, "查看业主与住户（手机号脱敏）", "View owners and residents (phones masked)"),
    Perm.OWNER_PHONE: (RESIDENTS, "查看业主完整手机号", "See owners' full phone numbers"),
    Perm.BINDING_REVIEW: (RESIDENTS, "审核房屋绑定申请", "Review requests to bind to a unit"),
    Perm.STAFF_READ: (ACCOUNTS, "查看员工", "View staff"),
    Perm.STAFF_WRITE: (ACCOUNTS, "添加、修改员工及其角色", "Add and edit staff and their roles"),
    Perm.AUDIT_READ: (AUDIT, "查看操作日志", "Read the audit log"),
    Perm.GATE_ACCESS: (GATES, "门禁通行与放行", "Open gates and let visitors in"),
    Perm.TICKET_READ: (REPAIRS, "查看小区全部报修单", "View every repair ticket of the community"),
    Perm.TICKET_DISPATCH: (REPAIRS, "受理、驳回、派单、关闭报修", "Accept, reject, assign and close repair tickets"),
    Perm.TICKET_WORK: (REPAIRS, "作为维修师傅接单、维修（出现在派单列表中）",
                       "Work on repairs as a technician (listed for assignment)"),
    Perm.REPAIR_CONFIG: (REPAIRS, "设置报修类别与小区报修规则", "Set repair categories and community repair rules"),
    Perm.TICKET_STATS: (REPAIRS, "查看维修统计", "View repair statistics"),
}
# A permission added to Perm without an entry still shows, under its code's prefix, until one is written.
_OTHER = PermGroup("other", "其他", "Other")


def describe(perm: Perm) -> tuple[PermGroup, str, str]:
    """(group, Chinese description, English description) of a permission."""
    return PERMISSIONS.get(perm, (_OTHER, perm.value, perm.value))


def catalog() -> list[tuple[Perm, PermGroup, str, str]]:
    """Every permission with its group and descriptions, grouped in GROUPS order, each group in Perm order."""
    order = {g.code: i for i, g in enumerate(GROUPS)}
    rows = [(p, *describe(p)) for p in Perm]
    return sorted(rows, key=lambda r: order.get(r[1].code, len(order)))
