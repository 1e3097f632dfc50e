"""Every action the audit log records, with its label in Chinese and English.

An action a mutation records (`run_mutation(..., audit="unit.create")`) must be listed here: outside production an
unlisted one fails the mutation loudly (audit.service.record), in production it is logged and recorded with its code
as its label. tests/domains/audit/test_action_labels.py checks every code in the backend's source.
"""

from __future__ import annotations

ACTIONS: dict[str, tuple[str, str]] = {
    # tenancy
    "company.create": ("创建物业公司", "Create company"),
    "company.active": ("启用物业公司", "Enable company"),
    "company.disabled": ("停用物业公司", "Disable company"),
    "community.create": ("新建小区", "Create community"),
    "community.update": ("修改小区", "Edit community"),
    "community.delete": ("删除小区", "Delete community"),
    "building.create": ("新建楼栋", "Create building"),
    "building.update": ("修改楼栋", "Edit building"),
    "building.delete": ("删除楼栋", "Delete building"),
    "unit.create": ("新建房屋", "Create unit"),
    "unit.update": ("修改房屋", "Edit unit"),
    "unit.delete": ("删除房屋", "Delete unit"),
    "unit.bulkCreate": ("批量新建房屋", "Create units in bulk"),
    # residents
    "binding.approve": ("通过绑定申请", "Approve binding"),
    "binding.reject": ("驳回绑定申请", "Reject binding"),
    "binding.add": ("为业主添加房屋", "Bind owner to unit"),
    "binding.remove": ("解除房屋绑定", "Unbind resident"),
    "owner.create": ("新增业主", "Add owner"),
    "owner.update": ("修改业主", "Edit owner"),
    # accounts
    "staff.create": ("添加员工", "Add staff member"),
    "staff.update": ("修改员工", "Edit staff member"),
    "staffInvitation.accept": ("接受员工邀请", "Accept staff invitation"),
    "staffInvitation.cancel": ("撤回员工邀请", "Withdraw staff invitation"),
    "role.update": ("修改角色模板", "Edit role template"),
    "platformAdmin.create": ("添加平台管理员", "Add platform administrator"),
    # imports
    "import.preview": ("导入预览", "Preview import"),
    "import.commit": ("执行导入", "Run import"),
    # repairs
    "ticket.accept": ("受理报修", "Accept ticket"),
    "ticket.reject": ("驳回报修", "Reject ticket"),
    "ticket.assign": ("派单", "Assign ticket"),
    "ticket.close": ("关闭报修", "Close ticket"),
    "ticket.grab": ("抢单", "Grab ticket"),
    "ticket.acknowledge": ("接单", "Take job"),
    "ticket.locationConsent": ("位置共享设置", "Location sharing"),
    "ticket.start": ("开始维修", "Start work"),
    "ticket.complete": ("完成维修", "Complete work"),
    "ticket.note": ("添加工单备注", "Add ticket note"),
    "repairSettings.update": ("修改报修设置", "Edit repair settings"),
    "repairCategory.create": ("新建报修类别", "Create repair category"),
    "repairCategory.update": ("修改报修类别", "Edit repair category"),
    "technician.skills": ("设置师傅技能", "Set technician skills"),
    # trusted documents (platform)
    "trustedDocument.register": ("登记可信操作文档", "Register trusted documents"),
    "trustedDocument.withdraw": ("撤销可信操作文档", "Withdraw trusted documents"),
}


def label(action: str) -> tuple[str, str]:
    """(Chinese, English) label of an action; an unlisted one is shown as its code."""
    return ACTIONS.get(action, (action, action))
