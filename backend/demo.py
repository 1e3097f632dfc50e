"""Demo data for a first start: a platform admin, one company with two communities, owners, and one staff account per
role (the small demo); `medium` and `large` add communities with thousands of units and a year of repairs
(backend/demo_sizes.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, StaffMember, User
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy import service as tenancy
from backend.domains.tenancy.models import Building, Community, Company, Unit, UnitType

log = logging.getLogger("courtyard.demo")
DEMO_PASSWORD = "Courtyard2026"
DEMO_COMPANY = "阳光物业 Sunshine Property"
PLATFORM_ADMIN = ("13800000000", "平台管理员")
STAFF = [  # phone, name, role code, title (职位)
    ("13800000001", "王经理 (company admin)", "company_admin", "总经理 General manager"),
    ("13800000002", "李小区经理 (community manager)", "community_manager", "小区经理 Community manager"),
    ("13800000003", "赵客服 (customer service)", "customer_service", "客服主管 Customer service lead"),
    ("13800000004", "钱师傅 (technician)", "technician", "维修技师 Technician"),
    ("13800000005", "孙会计 (finance)", "finance", "财务主管 Head of finance"),
    ("13800000006", "周保安 (guard)", "guard", "保安队长 Head of security"),
]
OWNERS = [  # phone, name, community index, building index, unit number
    ("13900000001", "张伟", 0, 0, "101"),
    ("13900000002", "刘芳", 0, 0, "102"),
    ("13900000003", "陈静", 0, 1, "201"),
    ("13900000004", "杨洋", 1, 0, "101"),
]
HOUSEHOLD = [("13900000011", "张小明", "13900000001", Relation.FAMILY), ("13900000012", "黄租客", "13900000002", Relation.TENANT)]
PENDING = ("13900000005", "吴新业主", 0, 1, "202")

LOGINS = [("platform admin", PLATFORM_ADMIN[0])] + [(role, phone) for phone, _, role, _ in STAFF] + [
    ("owner (at /h5/)", OWNERS[0][0])
]


@dataclass(frozen=True)
class DemoSize:
    """How much demo data: `extra` communities of backend/demo_sizes.py on top of the small demo."""

    extra: int
    summary: str


SIZES = {
    "small": DemoSize(0, "2 communities, 48 units, 4 owners, 7 repair tickets"),
    "medium": DemoSize(3, "5 communities, about 1,700 units and 1,500 residents, a year of repairs (about 3,000 tickets)"),
    "large": DemoSize(8, "10 communities, about 5,100 units and 4,800 residents, a year of repairs (about 9,500 tickets)"),
}
# `serve` seeds this size on a first start (COURTYARD_DEMO_SIZE overrides it; scripts/run asks for medium).
DEFAULT_SERVE_SIZE = "small"


async def demo_present() -> bool:
    """Whether the demo company exists (its sign-ins are worth printing)."""
    return await Company.filter(name=DEMO_COMPANY).exists()


async def seed_demo(size: str = "small", today: date | None = None) -> bool:
    """Create the demo data once, and the extra communities of `size` the demo lacks; False when nothing was added.
    `today` anchors the year of repair history of the bigger sizes (default: today in Shanghai)."""
    from backend import demo_sizes

    extra = SIZES[size].extra
    created = await _seed_small()
    if extra:
        company = await Company.get(name=DEMO_COMPANY)
        day = today or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        created = await demo_sizes.seed_communities(company_id=company.id, count=extra, today=day,
                                                    password=DEMO_PASSWORD) > 0 or created
    return created


async def _seed_small() -> bool:
    await accounts.ensure_role_templates()
    if await Company.filter(name=DEMO_COMPANY).exists():
        await seed_repairs()  # a demo seeded by an earlier release gets its repair tickets once
        return False
    async with in_transaction():
        await accounts.create_platform_admin(phone=PLATFORM_ADMIN[0], name=PLATFORM_ADMIN[1], password=DEMO_PASSWORD)
        company, _ = await tenancy.create_company(
            name=DEMO_COMPANY, admin_phone=STAFF[0][0], admin_name=STAFF[0][1], admin_password=DEMO_PASSWORD
        )
        communities = [
            await Community.create(company=company, name="阳光花园 Sunshine Garden", address="上海市浦东新区世纪大道 100 号",
                                   latitude=31.2352, longitude=121.5055),
            await Community.create(company=company, name="翠湖苑 Jade Lake", address="上海市徐汇区漕溪北路 8 号",
                                   latitude=31.1946, longitude=121.4365),
        ]
        units: dict[tuple[int, int, str], Unit] = {}
        for ci, community in enumerate(communities):
            for bi in range(2):
                building = await Building.create(company=company, community=community, name=f"{bi + 1}号楼", floors=6)
                for floor in range(1, 7):
                    for n in (1, 2):
                        number = f"{floor}{n:02d}"
                        unit = await Unit.create(
                            company=company, community=community, building=building, number=number, floor=floor,
                            area=Decimal("89.50") if n == 1 else Decimal("120.25"), type=UnitType.RESIDENTIAL,
                        )
                        units[(ci, bi, number)] = unit
        # The company admin comes with the company (tenancy.create_company, which takes no title): give it its 职位.
        await StaffMember.filter(company_id=company.id).update(title=STAFF[0][3])
        roles = {r.code: r.id for r in await Role.all()}
        for phone, name, code, title in STAFF[1:]:
            await accounts.create_staff(
                company_id=company.id, phone=phone, name=name, password=DEMO_PASSWORD, title=title,
                grants=[accounts.GrantSpec(role_id=roles[code], community_id=communities[0].id if code != "finance" else None)],
            )
        owners: dict[str, User] = {}
        for phone, name, ci, bi, number in OWNERS:
            user = await accounts.get_or_create_user(phone=phone, name=name, password=DEMO_PASSWORD)
            owners[phone] = user
            unit = units[(ci, bi, number)]
            await UnitBinding.create(company=company, community=communities[ci], unit=unit, user=user,
                                     relation=Relation.OWNER, status=BindingStatus.APPROVED)
        for phone, name, owner_phone, relation in HOUSEHOLD:
            member = await accounts.get_or_create_user(phone=phone, name=name)
            own = await UnitBinding.get(user_id=owners[owner_phone].id)
            await UnitBinding.create(company=company, community_id=own.community_id, unit_id=own.unit_id, user=member,
                                     relation=relation, status=BindingStatus.APPROVED, added_by=owners[owner_phone])
        phone, name, ci, bi, number = PENDING
        user = await accounts.get_or_create_user(phone=phone, name=name, password=DEMO_PASSWORD)
        await UnitBinding.create(company=company, community=communities[ci], unit=units[(ci, bi, number)], user=user,
                                 relation=Relation.OWNER, status=BindingStatus.PENDING)
    await seed_repairs()
    return True


# owner phone, category, description, urgency, public area (else the owner's unit), status to reach
TICKETS = [
    ("13900000001", "水电", "厨房水龙头漏水 Kitchen tap is leaking", "normal", "", "submitted"),
    ("13900000003", "电梯", "2号楼电梯有异响 Lift in building 2 makes a grinding noise", "urgent", "2号楼电梯", "submitted"),
    ("13900000002", "门窗", "阳台窗户关不上 Balcony window will not close", "urgent", "", "accepted"),
    ("13900000003", "水电", "卫生间灯不亮 Bathroom light is out", "normal", "", "assigned"),
    ("13900000001", "其他", "门铃坏了 Door bell is broken", "normal", "", "in_progress"),
    ("13900000002", "水电", "热水器不出热水 Water heater gives no hot water", "normal", "", "rated"),
    ("13900000001", "门窗", "入户门锁松动 Front door lock is loose", "normal", "", "cancelled"),
]


async def seed_repairs() -> None:
    """Repair tickets in several states for the demo company, once; made through the services, so the
    timelines, inbox messages and SLA dates are the real ones."""
    from backend.core import events
    from backend.domains.repairs import config, dispatch
    from backend.domains.repairs import service as repairs
    from backend.domains.repairs.models import RepairCategory, TechnicianSkill, Ticket, Urgency

    company = await Company.filter(name=DEMO_COMPANY).first()
    if company is None or await Ticket.filter(company_id=company.id).exists():
        return
    community = await Community.filter(company_id=company.id).order_by("id").first()
    manager = await accounts.find_user_by_phone(phone=STAFF[1][0])
    tech_user = await accounts.find_user_by_phone(phone=STAFF[3][0])
    tech = await StaffMember.filter(company_id=company.id, user_id=tech_user.id).first() if tech_user else None
    if community is None or manager is None or tech is None:
        return
    token = events.begin()  # nobody listens at seed time: the queued events are dropped
    try:
        async with in_transaction():
            await config.ensure_categories(company.id)
            categories = {c.name: c.id for c in await RepairCategory.filter(company_id=company.id)}
            await config.save_settings(company_id=company.id, community_id=community.id,
                                        spec=config.SettingsSpec(allow_grab=True))
            await TechnicianSkill.bulk_create([TechnicianSkill(company_id=company.id, staff_id=tech.id,
                                                               category_id=categories[n]) for n in ("水电", "门窗")])
            scope = {"company_id": company.id, "communities": None}
            for i, (phone, category, text, urgency, area, status) in enumerate(TICKETS):
                owner = await accounts.find_user_by_phone(phone=phone)
                assert owner is not None
                binding = await UnitBinding.get(user_id=owner.id, status=BindingStatus.APPROVED, relation=Relation.OWNER)
                spec = repairs.TicketSpec(
                    unit_id=None if area else binding.unit_id, community_id=community.id if area else None,
                    public_area=area or None, category_id=categories[category], description=text,
                    urgency=Urgency(urgency), preferred_start=None, preferred_end=None, idempotency_key=f"demo-{i}",
                )
                ticket, _ = await repairs.create_ticket(user_id=owner.id, spec=spec)
                if status == "cancelled":
                    await repairs.cancel_ticket(user_id=owner.id, ticket_id=ticket.id, reason="已自行修好 Fixed it myself")
                    continue
                if status == "submitted":
                    continue
                await dispatch.accept(**scope, ticket_id=ticket.id, actor_id=manager.id)
                if status == "accepted":
                    continue
                await dispatch.assign(**scope, ticket_id=ticket.id, actor_id=manager.id, technician_id=tech.id)
                if status == "assigned":
                    continue
                assert tech_user is not None
                work = {"company_id": company.id, "communities": None, "staff_id": tech.id, "actor_id": tech_user.id}
                await dispatch.start(**work, ticket_id=ticket.id)
                if status == "in_progress":
                    continue
                await dispatch.complete(**work, ticket_id=ticket.id, note="更换了温控器 Replaced the thermostat")
                await repairs.rate_ticket(user_id=owner.id, ticket_id=ticket.id, speed=5, quality=4, attitude=5,
                                          comment="师傅很专业 Very professional")
    finally:
        events.discard(token)


def logins_text() -> str:
    lines = [f"  {role:<18} {phone}  password {DEMO_PASSWORD}" for role, phone in LOGINS]
    return "Demo sign-ins (in dev, SMS codes go to the local outbox: python -m backend.cli sms-outbox):\n" + "\n".join(lines)
