"""Small async builders for test data (factory_boy has no Tortoise support)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, User
from backend.domains.auth.service import start_session
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy.models import Building, Community, Company, Unit, UnitType

_seq = itertools.count(1)


def next_phone() -> str:
    return f"137{next(_seq):08d}"


async def make_company(name: str | None = None) -> Company:
    await accounts.ensure_role_templates()
    return await Company.create(name=name or f"Company {next(_seq)}")


async def make_community(company: Company, name: str | None = None) -> Community:
    return await Community.create(company=company, name=name or f"Community {next(_seq)}")


async def make_building(community: Community, name: str | None = None) -> Building:
    return await Building.create(company_id=community.company_id, community=community, name=name or f"B{next(_seq)}", floors=10)


async def make_unit(building: Building, number: str | None = None, floor: int = 1) -> Unit:
    return await Unit.create(
        company_id=building.company_id, community_id=building.community_id, building=building,
        number=number or f"{floor}{next(_seq) % 100:02d}", floor=floor, area=Decimal("88.00"), type=UnitType.RESIDENTIAL,
    )


async def make_user(name: str = "Someone", phone: str | None = None, password: str | None = None) -> User:
    return await accounts.get_or_create_user(phone=phone or next_phone(), name=name, password=password)


async def make_platform_admin() -> User:
    user = await make_user("Platform admin")
    user.is_platform_admin = True
    await user.save()
    return user


async def make_staff(company: Company, role: str = "company_admin", community: Community | None = None,
                     name: str = "Staff") -> User:
    await accounts.ensure_role_templates()
    role_row = await Role.get(code=role)
    staff = await accounts.create_staff(
        company_id=company.id, phone=next_phone(), name=name, password=None, title="",
        grants=[accounts.GrantSpec(role_id=role_row.id, community_id=community.id if community else None)],
    )
    return await User.get(id=staff.user_id)


async def bind(user: User, unit: Unit, relation: Relation = Relation.OWNER,
               status: BindingStatus = BindingStatus.APPROVED) -> UnitBinding:
    return await UnitBinding.create(
        company_id=unit.company_id, community_id=unit.community_id, unit=unit, user=user,
        relation=relation, status=status,
    )


async def token_for(user: User) -> str:
    """An access token for `user` (their first company, if staff), without the cost of a password check."""
    pair = await start_session(user=user)
    return pair.access_token


class World:
    """Two companies, each with a community, building, unit, owner and an admin: the cross-tenant fixture."""

    company: Company
    community: Community
    building: Building
    unit: Unit
    owner: User
    admin: User


async def make_world(label: str) -> World:
    w = World()
    w.company = await make_company(f"Company {label} {next(_seq)}")
    w.community = await make_community(w.company)
    w.building = await make_building(w.community)
    w.unit = await make_unit(w.building, "101")
    w.owner = await make_user(f"Owner {label}")
    await bind(w.owner, w.unit)
    w.admin = await make_staff(w.company, "company_admin", name=f"Admin {label}")
    return w
