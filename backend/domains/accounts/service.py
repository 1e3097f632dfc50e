"""Accounts: users found by phone hash, platform role templates, staff members and their grants."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from backend.core.crypto import InvalidPhone, encrypt_str, normalize_phone, phone_hash
from backend.core.errors import Codes, DomainError
from backend.core.passwords import hash_password, validate_password_strength
from backend.core.permissions import Perm
from backend.domains.accounts.models import Role, StaffGrant, StaffMember, User
from backend.domains.tenancy.models import Community

ALL = [p.value for p in Perm]
ROLE_TEMPLATES: dict[str, tuple[str, str, list[str]]] = {
    "company_admin": ("公司管理员", "Company admin", ALL),
    "community_manager": (
        "小区经理",
        "Community manager",
        ["community.read", "community.write", "unit.read", "unit.write", "owner.read", "owner.phone",
         "binding.review", "staff.read", "audit.read", "gate.access",
         "ticket.read", "ticket.dispatch", "repair.config", "ticket.stats"],
    ),
    "customer_service": (
        "客服",
        "Customer service",
        ["community.read", "unit.read", "owner.read", "owner.phone", "binding.review",
         "ticket.read", "ticket.dispatch"],
    ),
    "technician": ("维修技师", "Technician", ["community.read", "unit.read", "ticket.work"]),
    "finance": ("财务", "Finance", ["community.read", "unit.read", "owner.read"]),
    "guard": ("门岗保安", "Guard", ["community.read", "gate.access"]),
}
MAX_NAME = 50


def clean_name(name: str | None, field: str = "name", *, required: bool = False, limit: int = MAX_NAME) -> str:
    value = (name or "").strip()
    if required and not value:
        raise DomainError(Codes.REQUIRED, "Required", field)
    if len(value) > limit:
        raise DomainError(Codes.TOO_LONG, f"At most {limit} characters", field)
    return value


def clean_phone(phone: str, field: str = "phone") -> str:
    try:
        return normalize_phone(phone)
    except InvalidPhone:
        raise DomainError(Codes.INVALID_PHONE, "Not a valid mobile number", field) from None


# Default permissions introduced after the first release, by version: existing templates get each version's
# additions exactly once (Role.defaults_version records how far a template got), so a permission the platform
# removed later is not put back. Templates created afresh start at the latest version with the full defaults.
_REPAIRS = ["ticket.read", "ticket.dispatch", "ticket.work", "repair.config", "ticket.stats"]
DEFAULT_ADDITIONS: dict[int, dict[str, list[str]]] = {
    2: {
        "company_admin": _REPAIRS,
        "community_manager": ["ticket.read", "ticket.dispatch", "repair.config", "ticket.stats"],
        "customer_service": ["ticket.read", "ticket.dispatch"],
        "technician": ["ticket.work"],
    },
}
DEFAULTS_VERSION = max(DEFAULT_ADDITIONS)


async def ensure_role_templates() -> None:
    """Create missing role templates and add newly introduced defaults once; the platform's edits stay."""
    existing = {r.code: r for r in await Role.all()}
    for code, (name, name_en, perms) in ROLE_TEMPLATES.items():
        role = existing.get(code)
        if role is None:
            await Role.create(code=code, name=name, name_en=name_en, permissions=perms,
                              defaults_version=DEFAULTS_VERSION)
            continue
        if role.defaults_version >= DEFAULTS_VERSION:
            continue
        added = [p for v, by_code in sorted(DEFAULT_ADDITIONS.items()) if v > role.defaults_version
                 for p in by_code.get(code, [])]
        # Conditional on the version read: two processes starting at once add the defaults only once.
        await Role.filter(id=role.id, defaults_version=role.defaults_version).update(
            permissions=sorted(set(role.permissions) | set(added)), defaults_version=DEFAULTS_VERSION
        )


async def find_user_by_phone(*, phone: str) -> User | None:
    """The user with this (normalized) phone, found through the keyed hash."""
    return await User.filter(phone_hash=phone_hash(phone)).first()


async def get_or_create_user(*, phone: str, name: str = "", password: str | None = None) -> User:
    """Find a user by phone or create one; a given name fills an empty one."""
    normalized = clean_phone(phone)
    name = clean_name(name)
    user = await find_user_by_phone(phone=normalized)
    if user is None:
        pw = None
        if password:
            validate_password_strength(password)
            pw = await hash_password(password)
        try:
            user = await User.create(
                phone_enc=encrypt_str(normalized), phone_hash=phone_hash(normalized), name=name, password_hash=pw
            )
        except IntegrityError:  # created concurrently by another request
            user = await find_user_by_phone(phone=normalized)
            assert user is not None
    elif name and not user.name:
        user.name = name
        await user.save(update_fields=["name", "updated_at"])
    return user


async def set_password(*, user: User, password: str) -> None:
    validate_password_strength(password)
    user.password_hash = await hash_password(password)
    await user.save(update_fields=["password_hash", "updated_at"])


@dataclass(frozen=True)
class GrantSpec:
    role_id: int
    community_id: int | None


async def _check_grants(company_id: int, grants: list[GrantSpec]) -> None:
    if not grants:
        raise DomainError(Codes.REQUIRED, "Give at least one role", "grants")
    if len(grants) > 50:
        raise DomainError(Codes.TOO_LONG, "At most 50 grants", "grants")
    role_ids = {g.role_id for g in grants}
    if await Role.filter(id__in=role_ids).count() != len(role_ids):
        raise DomainError(Codes.NOT_FOUND, "Unknown role", "grants")
    community_ids = {g.community_id for g in grants if g.community_id is not None}
    if community_ids:
        found = await Community.filter(id__in=community_ids, company_id=company_id).count()
        if found != len(community_ids):
            raise DomainError(Codes.NOT_FOUND, "Unknown community", "grants")


async def create_staff(
    *, company_id: int, phone: str, name: str, password: str | None, title: str, grants: list[GrantSpec]
) -> StaffMember:
    """Add a staff member to a company with roles; an existing user keeps their account."""
    name = clean_name(name, required=True)
    title = clean_name(title, "title")
    await _check_grants(company_id, grants)
    user = await get_or_create_user(phone=phone, name=name)
    if password:
        await set_password(user=user, password=password)
    if await StaffMember.filter(company_id=company_id, user_id=user.id).exists():
        raise DomainError(Codes.DUPLICATE, "Already on the staff", "phone")
    staff = await StaffMember.create(company_id=company_id, user_id=user.id, title=title)
    await _write_grants(staff, grants)
    return staff


async def _write_grants(staff: StaffMember, grants: list[GrantSpec]) -> None:
    await StaffGrant.filter(staff_id=staff.id).delete()
    unique = list(dict.fromkeys(grants))
    await StaffGrant.bulk_create(
        [StaffGrant(company_id=staff.company_id, staff_id=staff.id, role_id=g.role_id, community_id=g.community_id)  # type: ignore[attr-defined]
         for g in unique]
    )


async def get_staff(*, company_id: int, staff_id: int) -> StaffMember:
    staff = await StaffMember.filter(id=staff_id, company_id=company_id).first()
    if staff is None:
        raise DomainError(Codes.NOT_FOUND, "No such staff member", "id")
    return staff


async def update_staff(
    *, company_id: int, staff_id: int, actor_user_id: int, title: str | None, grants: list[GrantSpec] | None,
    active: bool | None,
) -> StaffMember:
    """Change a staff member's title, roles or status; it takes effect on their next request."""
    staff = await get_staff(company_id=company_id, staff_id=staff_id)
    if staff.user_id == actor_user_id and (active is False or grants is not None):  # type: ignore[attr-defined]
        raise DomainError(Codes.FORBIDDEN, "You cannot change your own roles or status")
    if title is not None:
        staff.title = clean_name(title, "title")
    if active is not None:
        staff.is_active = active
    await staff.save()
    if grants is not None:
        await _check_grants(company_id, grants)
        await _write_grants(staff, grants)
    return staff


async def update_role_template(*, role_id: int, name: str | None, name_en: str | None, permissions: list[str] | None) -> Role:
    """Edit a platform role template; staff holding it get the change on their next request."""
    role = await Role.filter(id=role_id).first()
    if role is None:
        raise DomainError(Codes.NOT_FOUND, "No such role", "id")
    if name is not None:
        role.name = clean_name(name, required=True)
    if name_en is not None:
        role.name_en = clean_name(name_en, "nameEn")
    if permissions is not None:
        valid = {p.value for p in Perm}
        bad = [p for p in permissions if p not in valid]
        if bad or len(permissions) > len(valid):
            raise DomainError(Codes.INVALID, "Unknown permission", "permissions")
        role.permissions = sorted(set(permissions))
    await role.save()
    return role


async def create_platform_admin(*, phone: str, name: str, password: str) -> User:
    """Make a user a platform administrator (creating the account if needed)."""
    user = await get_or_create_user(phone=phone, name=name)
    await set_password(user=user, password=password)
    if not user.is_platform_admin:
        user.is_platform_admin = True
        await user.save(update_fields=["is_platform_admin", "updated_at"])
    return user
