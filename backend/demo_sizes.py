"""Bigger demo data (`seed-demo --size medium|large`): more communities for the demo company, thousands of units, owners
and their households, and a year of repair history with the hours and seasons of a real one.

Deterministic: everything comes from random.Random(f"{SEED}:{community}") and a fixed anchor day, so the same seed
and day give the same rows (ids included, on an empty database). Staff, repair settings and categories go through
the services (a few dozen rows); units, people, bindings, tickets, their timelines and the inbox messages are written
in bulk, with the values the services would write: encrypted phones and lookup hashes from core.crypto, SLA dates
from repairs.config.due_dates, step stamps, completion minutes and SLA verdicts as repairs.workflow sets them, the
reporter's and technician's inbox messages from the workflow's own texts, and the audit rows of the desk's binding
approvals as run_mutation writes them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend.core.crypto import seal_phone
from backend.core.ids import encode_id
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, StaffMember, User
from backend.domains.audit.models import AuditLog
from backend.domains.notifications.models import Notification
from backend.domains.repairs import config
from backend.domains.repairs import workflow as wf
from backend.domains.repairs.models import (
    EventKind,
    RepairCategory,
    TechnicianSkill,
    Ticket,
    TicketEvent,
    TicketStatus,
    Urgency,
)
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy.models import Building, Community, Unit, UnitType

SEED = 20261201
ZONE = ZoneInfo("Asia/Shanghai")
BATCH = 500
# name, address, buildings, floors (low, high), apartments per floor (low, high)
COMMUNITIES = [
    ("锦绣华庭 Splendid Court", "上海市闵行区七莘路 1888 弄", (8, 12), (11, 18), (2, 4)),
    ("碧水湾 Blue Bay", "上海市宝山区泰和路 2099 弄", (10, 14), (15, 26), (2, 3)),
    ("枫林苑 Maple Grove", "上海市长宁区仙霞路 600 弄", (6, 9), (6, 7), (2, 2)),
    ("御景园 Royal View", "上海市静安区共和新路 3300 弄", (8, 12), (18, 32), (3, 4)),
    ("星河湾 Galaxy Bay", "上海市浦东新区锦绣路 1500 弄", (10, 16), (11, 18), (2, 4)),
    ("梧桐里 Plane Tree Lane", "上海市黄浦区建国西路 88 弄", (4, 6), (5, 6), (2, 2)),
    ("海棠花园 Crabapple Garden", "上海市松江区人民北路 2200 弄", (12, 16), (11, 18), (2, 4)),
    ("云栖小镇 Cloud Dwell", "上海市青浦区盈港东路 800 弄", (8, 12), (11, 26), (2, 3)),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "鑫", "波", "宇", "浩", "婷", "雪", "欣怡", "子涵", "梓轩",
         "雨桐", "一诺", "思远", "晨", "佳怡", "俊杰", "志强", "海燕", "丹", "玉兰", "国庆", "建国", "淑珍"]
STAFF_ROLES = [  # role code, title (职位), how many
    ("community_manager", "小区经理 Community manager", 1),
    ("customer_service", "客服专员 Customer service", 1),
    ("technician", "维修技师 Technician", 3),
    ("guard", "保安队长 Head of security", 1),
]
# Category weights by month (Jan..Dec): burst and frozen pipes, water heaters in winter; air conditioning and
# power cuts in summer; windows and doors in the plum rains and typhoon season; lifts and public facilities evenly.
SEASON = {
    "水电": [3.2, 3.0, 2.2, 1.6, 1.5, 1.8, 2.6, 2.8, 1.8, 1.5, 1.9, 3.0],
    "门窗": [0.8, 0.8, 0.9, 1.0, 1.2, 1.7, 1.8, 1.6, 1.3, 1.0, 0.9, 0.8],
    "电梯": [0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.9, 0.9, 0.8, 0.7, 0.7, 0.7],
    "公共设施": [0.6, 0.5, 0.7, 0.8, 0.9, 0.9, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6],
    "其他": [0.5, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5],
}
# Reports by hour of day (local time): mornings and evenings, when people are home.
HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.6, 2.6, 2.4, 2.0, 1.6, 1.2, 1.3, 1.5, 1.5, 1.5, 1.9, 2.6, 3.0, 2.8,
         2.0, 1.1, 0.5]
PROBLEMS = {
    "水电": ["厨房水龙头漏水 Kitchen tap is leaking", "卫生间下水道堵塞 Bathroom drain is blocked",
             "热水器不出热水 Water heater gives no hot water", "水管冻裂 A frozen pipe burst",
             "客厅跳闸 The living room breaker keeps tripping", "空调外机滴水 AC unit drips on the balcony",
             "插座没电 A socket has no power", "马桶水箱漏水 Toilet cistern keeps running"],
    "门窗": ["阳台窗户关不上 Balcony window will not close", "入户门锁松动 Front door lock is loose",
             "纱窗破损 Window screen is torn", "窗户漏雨 Rain leaks in at the window"],
    "电梯": ["电梯有异响 Lift makes a grinding noise", "电梯按钮失灵 Lift button does not respond",
             "电梯门关不严 Lift doors do not close fully"],
    "公共设施": ["楼道灯不亮 Stairwell light is out", "单元门禁失灵 Entrance access control fails",
                 "小区路灯坏了 A street lamp is out", "健身器材损坏 Fitness equipment is broken"],
    "其他": ["门铃坏了 Door bell is broken", "信报箱锁坏了 Mailbox lock is broken", "墙面渗水 Damp patch on a wall"],
}
PUBLIC = {"电梯", "公共设施"}
WORK_MINUTES = {"水电": (30, 150), "门窗": (30, 120), "电梯": (60, 360), "公共设施": (45, 240), "其他": (20, 90)}
DONE_NOTES = ["已更换配件 Replaced the part", "已疏通 Cleared the blockage", "已修复并测试 Fixed and tested",
              "已调整 Adjusted", "已更换温控器 Replaced the thermostat"]
COMMENTS = ["师傅很专业 Very professional", "很快就修好了 Fixed quickly", "态度很好 Friendly", "", "", "",
            "等了比较久 Took a while", "干净利落 Neat work"]
CANCEL_REASONS = ["已自行修好 Fixed it myself", "重复提交 Sent twice", "不需要了 No longer needed"]
REJECT_REASON = "非物业维修范围，请联系厂家 Not the property's to repair: please call the maker"


@dataclass
class _Place:
    """One community being seeded: what its tickets need to know."""

    community_id: int
    company_id: int
    manager_user: int
    service_user: int
    technicians: list[tuple[int, int, set[int]]]  # staff id, user id, category ids
    categories: dict[str, int]
    residents: list[tuple[int, int, int]] = field(default_factory=list)  # unit id, user id, building index
    buildings: list[str] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _local(day: date, minutes: float) -> datetime:
    """A moment on a local day (minutes after midnight, Asia/Shanghai) in UTC."""
    return (datetime.combine(day, time(), ZONE) + timedelta(minutes=minutes)).astimezone(UTC)


def _in_hours(at: datetime, rng: random.Random, urgent: bool) -> datetime:
    """When staff get to something that came in at `at`: soon in working hours (08:00-20:00), or the next morning,
    but an urgent report at night reaches the person on call within half an hour."""
    local = at.astimezone(ZONE)
    if 8 <= local.hour < 20 or urgent:
        return at + timedelta(minutes=rng.uniform(2, 12) if urgent else rng.uniform(5, 50))
    morning = local.date() + timedelta(days=1 if local.hour >= 20 else 0)
    return _local(morning, 8 * 60 + rng.uniform(5, 45))


async def _bulk(model: type[Model], rows: Sequence[Model]) -> None:
    if rows:
        await model.bulk_create(list(rows), batch_size=BATCH)


async def seed_communities(*, company_id: int, count: int, today: date, password: str) -> int:
    """Add the first `count` extra communities the company lacks; returns how many were added."""
    added = 0
    audit: list[AuditLog] = []
    roles = {r.code: r.id for r in await Role.all()}
    await config.ensure_categories(company_id)
    categories = {c.name: c.id for c in await RepairCategory.filter(company_id=company_id).order_by("sort", "id")}
    for k, (name, *_rest) in enumerate(COMMUNITIES[:count]):
        if await Community.filter(company_id=company_id, name=name).exists():
            continue
        async with in_transaction():
            audit += await _seed_community(k, company_id=company_id, roles=roles, categories=categories, today=today,
                                           password=password)
        added += 1
    audit.sort(key=lambda row: (row.created_at, row.community_id))
    await _bulk(AuditLog, audit)
    return added


async def _seed_community(k: int, *, company_id: int, roles: dict[str, int], categories: dict[str, int],
                          today: date, password: str) -> list[AuditLog]:
    rng = random.Random(f"{SEED}:{k}")
    name, address, n_buildings, floors_range, per_floor = COMMUNITIES[k]
    community = await Community.create(company_id=company_id, name=name, address=address)
    opened = today - timedelta(days=365 + rng.randint(200, 2000))
    place = await _staff(k, rng, company_id=company_id, community_id=community.id, roles=roles,
                         categories=categories, password=password)
    units = await _buildings_and_units(rng, place, n_buildings, floors_range, per_floor)
    audit = await _households(k, rng, place, units, opened)
    await config.save_settings(company_id=company_id, community_id=community.id,
                               spec=config.SettingsSpec(allow_grab=k % 2 == 0))
    await _tickets(k, rng, place, today)
    return audit


async def _staff(k: int, rng: random.Random, *, company_id: int, community_id: int, roles: dict[str, int],
                 categories: dict[str, int], password: str) -> _Place:
    """The community's own staff, through the accounts service (a handful), with their 职位 and skills."""
    made: dict[str, list[StaffMember]] = {}
    j = 0
    for code, title, how_many in STAFF_ROLES:
        for _ in range(how_many):
            j += 1
            member = await accounts.create_staff(
                company_id=company_id, phone=f"137{k:02d}{j:06d}", name=_name(rng), password=password, title=title,
                grants=[accounts.GrantSpec(role_id=roles[code], community_id=community_id)],
            )
            assert isinstance(member, StaffMember)
            made.setdefault(code, []).append(member)
    technicians = []
    skills = []
    names = list(categories)
    for i, tech in enumerate(made["technician"]):
        # Everyone does water and power; each also has one or two other trades.
        own = {categories["水电"]} | {categories[n] for n in rng.sample(names[1:], 1 + i % 2)}
        technicians.append((tech.id, tech.user_id, own))
        skills += [TechnicianSkill(company_id=company_id, staff_id=tech.id, category_id=c) for c in sorted(own)]
    await _bulk(TechnicianSkill, skills)
    return _Place(community_id=community_id, company_id=company_id,
                  manager_user=made["community_manager"][0].user_id,
                  service_user=made["customer_service"][0].user_id, technicians=technicians, categories=categories)


async def _buildings_and_units(rng: random.Random, place: _Place, n_buildings: tuple[int, int],
                               floors_range: tuple[int, int], per_floor: tuple[int, int]) -> list[tuple[int, int, str]]:
    """Residential buildings (some with shops on the ground floor) and an underground car park."""
    count = rng.randint(*n_buildings)
    plans = [(f"{b + 1}号楼", rng.randint(*floors_range), rng.randint(*per_floor), b < 2 and rng.random() < 0.6)
             for b in range(count)]
    names = [p[0] for p in plans] + ["地下车库"]
    await _bulk(Building, [Building(company_id=place.company_id, community_id=place.community_id, name=n,
                                    floors=f) for n, f, _, _ in plans] + [
        Building(company_id=place.company_id, community_id=place.community_id, name="地下车库", floors=1)])
    ids = {r["name"]: r["id"] for r in await Building.filter(community_id=place.community_id).values("id", "name")}
    place.buildings = names
    rows: list[Unit] = []
    sizes = [Decimal("68.40"), Decimal("89.50"), Decimal("105.80"), Decimal("120.25"), Decimal("143.60")]
    for bname, floors, flats, shops in plans:
        layout = rng.sample(sizes, flats) if flats <= len(sizes) else sizes
        for floor in range(1, floors + 1):
            for n in range(1, flats + 1):
                kind = UnitType.COMMERCIAL if shops and floor == 1 else UnitType.RESIDENTIAL
                rows.append(Unit(company_id=place.company_id, community_id=place.community_id, building_id=ids[bname],
                                 number=f"{floor}{n:02d}", floor=floor, area=layout[n - 1], type=kind))
    for n in range(1, rng.randint(60, 180) + 1):
        rows.append(Unit(company_id=place.company_id, community_id=place.community_id, building_id=ids["地下车库"],
                         number=f"P{n:03d}", floor=-1, area=Decimal("12.50"), type=UnitType.PARKING))
    await _bulk(Unit, rows)
    index = {bid: names.index(n) for n, bid in ids.items()}
    return [(r["id"], index[r["building_id"]], r["type"])
            for r in await Unit.filter(community_id=place.community_id).order_by("id").values("id", "building_id", "type")]


async def _people(rows: list[tuple[str, str, datetime]]) -> dict[str, int]:
    """Accounts for (phone, name, created_at) in bulk, phones sealed as accounts.get_or_create_user seals them; ids by
    phone."""
    users = []
    hashes = {}
    for phone, name, at in rows:
        enc, h = seal_phone(phone)
        hashes[h] = phone
        users.append(User(phone_enc=enc, phone_hash=h, name=name, created_at=at))
    await _bulk(User, users)
    out: dict[str, int] = {}
    keys = list(hashes)
    for i in range(0, len(keys), BATCH):
        for r in await User.filter(phone_hash__in=keys[i:i + BATCH]).values("id", "phone_hash"):
            out[hashes[r["phone_hash"]]] = r["id"]
    return out


async def _households(k: int, rng: random.Random, place: _Place, units: list[tuple[int, int, str]],
                      opened: date) -> list[AuditLog]:
    """Owners of about three units in four (parking spaces mostly belong to flat owners), family members and
    tenants approved by the customer service desk, and a few requests still waiting for review."""
    people: list[tuple[str, str, datetime]] = []
    plan: list[tuple[int, str, Relation, BindingStatus, str | None, datetime, int]] = []
    serial = 0
    for unit_id, b, kind in units:
        if kind == UnitType.PARKING or rng.random() > 0.78:
            if kind != UnitType.PARKING and rng.random() < 0.03:  # someone new asks to be recorded as the owner
                serial += 1
                phone = f"186{k:02d}{serial:06d}"
                at = _local(opened + timedelta(days=rng.randint(300, 2000)), rng.uniform(480, 1260))
                people.append((phone, _name(rng), at))
                plan.append((unit_id, phone, Relation.OWNER, BindingStatus.PENDING, None, at, b))
            continue
        serial += 1
        owner = f"186{k:02d}{serial:06d}"
        moved_in = _local(opened + timedelta(days=rng.randint(0, 200)), rng.uniform(480, 1260))
        people.append((owner, _name(rng), moved_in))
        plan.append((unit_id, owner, Relation.OWNER, BindingStatus.APPROVED, None, moved_in, b))
        if rng.random() < 0.45:
            phone = f"187{k:02d}{serial:06d}"
            at = moved_in + timedelta(days=rng.randint(1, 60))
            people.append((phone, _name(rng), at))
            plan.append((unit_id, phone, Relation.FAMILY, BindingStatus.APPROVED, owner, at, b))
        if kind == UnitType.RESIDENTIAL and rng.random() < 0.12:
            phone = f"188{k:02d}{serial:06d}"
            at = moved_in + timedelta(days=rng.randint(30, 400))
            people.append((phone, _name(rng), at))
            plan.append((unit_id, phone, Relation.TENANT, BindingStatus.APPROVED, owner, at, b))
    ids = await _people(people)
    bindings = []
    for unit_id, phone, relation, status, added_by, at, b in plan:
        approved = status == BindingStatus.APPROVED
        bindings.append(UnitBinding(
            company_id=place.company_id, community_id=place.community_id, unit_id=unit_id, user_id=ids[phone],
            relation=relation, status=status, added_by_id=ids[added_by] if added_by else None,
            reviewed_by_id=place.service_user if approved and added_by is None else None,
            reviewed_at=at + timedelta(hours=rng.uniform(1, 30)) if approved and added_by is None else None,
            created_at=at,
        ))
        if approved:
            place.residents.append((unit_id, ids[phone], b))
    await _bulk(UnitBinding, bindings)
    # The desk's approvals are staff actions: the audit rows run_mutation writes for bindingApprove (written by
    # seed_communities, all communities' together in time order, since the log lists by id).
    reviewed = await UnitBinding.filter(community_id=place.community_id, reviewed_by_id__not_isnull=True).order_by(
        "id").values("id", "reviewed_by_id", "reviewed_at")
    return [AuditLog(
        company_id=place.company_id, community_id=place.community_id, actor_id=r["reviewed_by_id"],
        action="binding.approve", target_type="UnitBinding", target_id=encode_id("UnitBinding", r["id"]),
        summary={"approve": True, "reason": None}, created_at=r["reviewed_at"]) for r in reviewed]


@dataclass
class _Step:
    kind: EventKind
    at: datetime
    actor: int | None
    to: TicketStatus
    note: str = ""


def _lifecycle(rng: random.Random, created: datetime, urgent: bool, category: str, reporter: int, tech_user: int,
               place: _Place) -> list[_Step]:
    """The steps a ticket went through, as staff and technicians work: the caller keeps those already past."""
    S = TicketStatus
    steps = [_Step(EventKind.CREATED, created, reporter, S.SUBMITTED)]
    roll = rng.random()
    if roll < 0.02:
        return steps + [_Step(EventKind.REJECTED, _in_hours(created, rng, urgent), place.manager_user, S.REJECTED,
                              REJECT_REASON)]
    if roll < 0.05:
        return steps + [_Step(EventKind.CANCELLED, created + timedelta(minutes=rng.uniform(10, 600)), reporter,
                              S.CANCELLED, rng.choice(CANCEL_REASONS))]
    accepted = _in_hours(created, rng, urgent)
    desk = rng.choice([place.manager_user, place.service_user, place.service_user])
    steps.append(_Step(EventKind.ACCEPTED, accepted, desk, S.ACCEPTED))
    assigned = accepted + timedelta(minutes=rng.uniform(3, 40))
    steps.append(_Step(EventKind.ASSIGNED, assigned, desk, S.ASSIGNED))
    if rng.random() < 0.8:
        steps.append(_Step(EventKind.ACKNOWLEDGED, assigned + timedelta(minutes=rng.uniform(1, 25)), tech_user,
                           S.ASSIGNED))
    started = _in_hours(steps[-1].at + timedelta(minutes=rng.uniform(15, 180)), rng, urgent)
    steps.append(_Step(EventKind.STARTED, started, tech_user, S.IN_PROGRESS))
    low, high = WORK_MINUTES[category]
    work = rng.uniform(low, high) + (rng.uniform(1, 3) * 1440 if rng.random() < 0.08 else 0)  # waiting for parts
    completed = started + timedelta(minutes=work)
    steps.append(_Step(EventKind.COMPLETED, completed, tech_user, S.COMPLETED, rng.choice(DONE_NOTES)))
    if rng.random() < 0.72:
        steps.append(_Step(EventKind.RATED, completed + timedelta(hours=rng.uniform(0.5, 48)), reporter, S.RATED))
    if rng.random() < 0.85:
        steps.append(_Step(EventKind.CLOSED, steps[-1].at + timedelta(days=rng.uniform(2, 7)), desk, S.CLOSED))
    return steps


async def _tickets(k: int, rng: random.Random, place: _Place, today: date) -> None:
    """A year of repair reports up to `today`, each carried as far as its steps' times allow."""
    if not place.residents:
        return
    settings = await config.get_settings(place.community_id)
    now = _local(today, 16 * 60)  # the anchor: history runs until this afternoon
    by_building: dict[int, list[tuple[int, int, int]]] = {}
    for resident in place.residents:
        by_building.setdefault(resident[2], []).append(resident)
    rate = len(place.residents) / 1100  # reports per day at a weight of 1: about two a year per household
    names = list(SEASON)
    tickets: list[Ticket] = []
    lifecycles: list[list[_Step]] = []
    serial = 0
    for back in range(365, -1, -1):
        day = today - timedelta(days=back)
        weights = [SEASON[n][day.month - 1] for n in names]
        weekend = 1.25 if day.weekday() >= 5 else 1.0
        expected = rate * sum(weights) * weekend
        for _ in range(_poisson(rng, expected)):
            category = rng.choices(names, weights)[0]
            minute = rng.choices(range(24), HOURS)[0] * 60 + rng.uniform(0, 59)
            created = _local(day, minute)
            if created > now:
                continue
            serial += 1
            urgent = rng.random() < (0.35 if category == "电梯" else 0.12)
            public = category in PUBLIC and rng.random() < 0.7
            unit_id, reporter, b = rng.choice(place.residents)
            area = ""
            if public:
                area = f"{place.buildings[b]}{'电梯' if category == '电梯' else rng.choice(['楼道', '大堂', '门禁'])}"
                if place.buildings[b] == "地下车库":
                    area = "地下车库照明"
            urgency = Urgency.URGENT if urgent else Urgency.NORMAL
            accept_due, finish_due = config.due_dates(settings, urgency, created)
            cat_id = place.categories[category]
            able = [t for t in place.technicians if cat_id in t[2]] or place.technicians
            tech_staff, tech_user, _skills = rng.choice(able)
            steps = [s for s in _lifecycle(rng, created, urgent, category, reporter, tech_user, place)
                     if s.at <= now]
            values = _ticket_values(steps, created, finish_due, rng)
            tickets.append(Ticket(
                company_id=place.company_id, community_id=place.community_id, unit_id=None if public else unit_id,
                public_area=area, category_id=cat_id, reporter_id=reporter,
                technician_id=tech_staff if any(s.kind == EventKind.ASSIGNED for s in steps) else None,
                idempotency_key=f"demo-{k}-{serial}", description=rng.choice(PROBLEMS[category]), urgency=urgency,
                accept_due=accept_due, finish_due=finish_due, created_at=created, **values,
            ))
            lifecycles.append(steps)
    await _bulk(Ticket, tickets)
    ids = {r["idempotency_key"]: r["id"] for r in
           await Ticket.filter(community_id=place.community_id).values("id", "idempotency_key")}
    events: list[TicketEvent] = []
    inbox: list[Notification] = []
    techs = {staff: user for staff, user, _ in place.technicians}
    for ticket, steps in zip(tickets, lifecycles, strict=True):
        tid = ids[ticket.idempotency_key]
        number = wf.ticket_number(tid)
        previous: TicketStatus | None = None
        for step in steps:
            events.append(TicketEvent(company_id=place.company_id, ticket_id=tid, actor_id=step.actor, kind=step.kind,
                                      from_status=previous, to_status=step.to, note=step.note, created_at=step.at))
            previous = step.to
            read = step.at + timedelta(hours=2) if step.at < now - timedelta(days=3) else None
            if step.kind in wf.MESSAGES:
                title, title_en = wf.MESSAGES[step.kind]
                inbox.append(Notification(
                    user_id=ticket.reporter_id, company_id=place.company_id, kind=f"ticket.{step.kind.value}",
                    title=title, title_en=title_en, body=f"报修单 {number}：{title}",
                    body_en=f"Ticket {number}: {title_en}", target_type="Ticket", target_id=tid, created_at=step.at,
                    read_at=read))
            if step.kind in wf.TECHNICIAN_MESSAGES and ticket.technician_id is not None:
                title, title_en = wf.TECHNICIAN_MESSAGES[step.kind]
                inbox.append(Notification(
                    user_id=techs[ticket.technician_id], company_id=place.company_id,
                    kind=f"ticket.{step.kind.value}ToYou", title=title, title_en=title_en,
                    body=f"报修单 {number}：{title}", body_en=f"Ticket {number}: {title_en}", target_type="Ticket",
                    target_id=tid, created_at=step.at, read_at=read))
    await _bulk(TicketEvent, events)
    await _bulk(Notification, inbox)


def _ticket_values(steps: list[_Step], created: datetime, finish_due: datetime, rng: random.Random) -> dict[str, Any]:
    """The columns repairs.workflow.transition (and the services calling it) leave after these steps."""
    S = TicketStatus
    stamp = {EventKind.ACCEPTED: "accepted_at", EventKind.ASSIGNED: "assigned_at", EventKind.STARTED: "started_at",
             EventKind.COMPLETED: "completed_at", EventKind.RATED: "rated_at", EventKind.CLOSED: "closed_at",
             EventKind.ACKNOWLEDGED: "acknowledged_at"}
    values: dict[str, Any] = {"status": steps[-1].to}
    for step in steps:
        if step.kind in stamp:
            values[stamp[step.kind]] = step.at
        if step.kind == EventKind.STARTED and "acknowledged_at" not in values:
            values["acknowledged_at"] = step.at  # dispatch.start acknowledges a job nobody confirmed
        if step.kind == EventKind.REJECTED:
            values["reject_reason"] = step.note
        if step.kind == EventKind.COMPLETED:
            values["completion_minutes"] = int((step.at - created).total_seconds() // 60)
            values["sla_met"] = step.at <= finish_due
        if step.kind == EventKind.RATED:
            late = values.get("sla_met") is False
            values.update(rating_speed=rng.choice([2, 3, 3, 4]) if late else rng.choice([4, 5, 5, 5]),
                          rating_quality=rng.choice([3, 4, 4, 5, 5, 5]), rating_attitude=rng.choice([4, 5, 5, 5, 5]),
                          rating_comment=rng.choice(COMMENTS))
    if values["status"] not in (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS):
        values["location_consent"] = False
    return values


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a day's reports."""
    limit, n, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1
