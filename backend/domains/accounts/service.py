"""Accounts: users found by phone hash, platform role templates, staff members and their grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.core import validate
from backend.core.crypto import phone_hash, seal_phone
from backend.core.errors import Codes, DomainError
from backend.core.passwords import hash_password, validate_password_strength
from backend.core.permissions import Perm
from backend.domains.accounts.errors import AccountCode
from backend.domains.accounts.models import (
    InvitationStatus,
    Role,
    StaffGrant,
    StaffInvitation,
    StaffMember,
    User,
)
from backend.domains.files import service as files
from backend.domains.tenancy.models import Community, CompanyStatus

ALL = [p.value for p in Perm]
# Permissions a role holds only when it is given them on purpose: ticket.work makes its holder a technician (the
# assign dialog, workload and automatic assignment list exactly the staff holding it), so the all-powerful company
# admin template leaves it out.
EXPLICIT_ONLY = frozenset({Perm.TICKET_WORK.value})
ROLE_TEMPLATES: dict[str, tuple[str, str, list[str]]] = {
    "company_admin": ("公司管理员", "Company admin", [p for p in ALL if p not in EXPLICIT_ONLY]),
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
# The accounts domain's own error codes (AccountErrorCode in the schema).


def clean_name(name: str | None, field: str = "name", *, required: bool = False, limit: int = MAX_NAME) -> str:
    """A person's or a title's name: trimmed, at most 50 characters."""
    return validate.text(name, field, limit, required=required)


def clean_phone(phone: str, field: str = "phone") -> str:
    """The 11-digit form of a mainland mobile number (INVALID_PHONE otherwise)."""
    return validate.phone(phone, field)


# Default permissions changed after the first release, by version: existing templates get each version's
# additions and removals exactly once, in order (Role.defaults_version records how far a template got), so a
# permission the platform removed later is not put back, nor one it added later taken away again. Templates created
# afresh start at the latest version with the full defaults.
_REPAIRS = ["ticket.read", "ticket.dispatch", "ticket.work", "repair.config", "ticket.stats"]
DEFAULT_ADDITIONS: dict[int, dict[str, list[str]]] = {
    2: {
        "company_admin": _REPAIRS,
        "community_manager": ["ticket.read", "ticket.dispatch", "repair.config", "ticket.stats"],
        "customer_service": ["ticket.read", "ticket.dispatch"],
        "technician": ["ticket.work"],
    },
}
DEFAULT_REMOVALS: dict[int, dict[str, list[str]]] = {
    # Version 2 gave the company admin ticket.work, which listed every company admin as a technician.
    3: {"company_admin": ["ticket.work"]},
}
DEFAULTS_VERSION = max(*DEFAULT_ADDITIONS, *DEFAULT_REMOVALS)


def upgraded_permissions(code: str, permissions: list[str], since: int) -> list[str]:
    """A template's permissions after the default changes of every version after `since`, applied in order."""
    out = set(permissions)
    for version in range(since + 1, DEFAULTS_VERSION + 1):
        out |= set(DEFAULT_ADDITIONS.get(version, {}).get(code, []))
        out -= set(DEFAULT_REMOVALS.get(version, {}).get(code, []))
    return sorted(out)


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
        # Conditional on the version read: two processes starting at once apply the changes only once.
        await Role.filter(id=role.id, defaults_version=role.defaults_version).update(
            permissions=upgraded_permissions(code, role.permissions, role.defaults_version),
            defaults_version=DEFAULTS_VERSION,
        )


async def find_user_by_phone(*, phone: str) -> User | None:
    """The user with this (normalized) phone, found through the keyed hash."""
    return await User.filter(phone_hash=phone_hash(phone)).first()


async def find_or_create_user(*, phone: str, name: str = "", password: str | None = None) -> tuple[User, bool]:
    """(user, created): the account with this phone, untouched, or a new one with this name and password."""
    normalized = clean_phone(phone)
    name = clean_name(name)
    user = await find_user_by_phone(phone=normalized)
    if user is not None:
        return user, False
    pw = None
    if password:
        validate_password_strength(password)
        pw = await hash_password(password)
    try:
        async with in_transaction():  # a savepoint: the surrounding transaction survives a lost race
            enc, h = seal_phone(normalized)
            user = await User.create(phone_enc=enc, phone_hash=h, name=name, password_hash=pw)
    except IntegrityError:  # created concurrently by another request: theirs, and left as it is
        user = await find_user_by_phone(phone=normalized)
        assert user is not None
        return user, False
    return user, True


async def get_or_create_user(*, phone: str, name: str = "", password: str | None = None) -> User:
    """Find a user by phone or create one; an existing account is never changed (name and password stay theirs)."""
    user, _ = await find_or_create_user(phone=phone, name=name, password=password)
    return user


@dataclass(frozen=True)
class GrantSpec:
    role_id: int
    community_id: int | None


async def update_profile(*, user_id: int, name: str | None, avatar_file_id: int | None) -> User:
    """A person changes their own name and/or avatar (an AVATAR upload of theirs)."""
    user = await User.get(id=user_id)
    if name is not None:
        user.name = clean_name(name, required=True)
    if avatar_file_id is not None:
        await files.claim_avatar(upload_id=avatar_file_id, user_id=user_id)
        user.avatar_file_id = avatar_file_id
    await user.save(update_fields=["name", "avatar_file_id", "updated_at"])
    return user


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
    *, company_id: int, phone: str, name: str, password: str | None, title: str, grants: list[GrantSpec],
    invited_by: int | None = None,
) -> StaffMember | StaffInvitation:
    """Add a new person to a company's staff, or invite the owner of an existing account (who must accept)."""
    name = clean_name(name, required=True)
    title = clean_name(title, "title")
    await _check_grants(company_id, grants)
    user, created = await find_or_create_user(phone=phone, name=name, password=password)
    if created:
        staff = await StaffMember.create(company_id=company_id, user_id=user.id, title=title)
        await _write_grants(staff, grants)
        return staff
    # Someone else's account: nothing of it changes, and nothing of it is shown to the company until they accept.
    if user.is_platform_admin:
        raise DomainError(Codes.FORBIDDEN, "This person cannot be added to a company's staff", "phone")
    if await StaffMember.filter(company_id=company_id, user_id=user.id).exists():
        raise DomainError(Codes.DUPLICATE, "Already on the staff", "phone")
    if password:
        raise DomainError(AccountCode.ACCOUNT_EXISTS, "This phone number already has an account: leave the password empty to "
                                          "invite them", "password")
    if await StaffInvitation.filter(company_id=company_id, user_id=user.id, status=InvitationStatus.PENDING).exists():
        raise DomainError(Codes.DUPLICATE, "Already invited", "phone")
    unique = list(dict.fromkeys(grants))
    return await StaffInvitation.create(
        company_id=company_id, user_id=user.id, invited_by_id=invited_by, name=name, title=title,
        grants=[[g.role_id, g.community_id] for g in unique],
    )


async def _pending_invitation(*, invitation_id: int, user_id: int) -> StaffInvitation:
    row = await StaffInvitation.filter(
        id=invitation_id, user_id=user_id, status=InvitationStatus.PENDING, company__status=CompanyStatus.ACTIVE
    ).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    return row


async def accept_staff_invitation(*, invitation_id: int, user_id: int) -> StaffInvitation:
    """The invitee joins the company's staff with the offered roles; they apply from their next request."""
    row = await _pending_invitation(invitation_id=invitation_id, user_id=user_id)
    claimed = await StaffInvitation.filter(id=row.id, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.ACCEPTED, responded_at=datetime.now(UTC)
    )
    if claimed != 1:  # answered concurrently
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    company_id = row.company_id
    if await StaffMember.filter(company_id=company_id, user_id=user_id).exists():
        raise DomainError(Codes.DUPLICATE, "You are already on this company's staff", "id")
    # Roles and communities as they are now: a community deleted since the invitation is left out.
    specs = [GrantSpec(role_id=int(r or 0), community_id=int(c) if c is not None else None) for r, c in row.grants]
    roles = set(await Role.filter(id__in={g.role_id for g in specs}).values_list("id", flat=True))
    communities = set(await Community.filter(
        company_id=company_id, id__in={g.community_id for g in specs if g.community_id is not None}
    ).values_list("id", flat=True))
    kept = [g for g in specs if g.role_id in roles and (g.community_id is None or g.community_id in communities)]
    staff = await StaffMember.create(company_id=company_id, user_id=user_id, title=row.title)
    await _write_grants(staff, kept)
    await row.refresh_from_db()
    return row


async def decline_staff_invitation(*, invitation_id: int, user_id: int) -> StaffInvitation:
    """The invitee says no; the company sees the invitation declined."""
    row = await _pending_invitation(invitation_id=invitation_id, user_id=user_id)
    # Conditional, like accepting: an answer racing the other way cannot turn an accepted invitation declined.
    if not await StaffInvitation.filter(id=row.id, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.DECLINED, responded_at=datetime.now(UTC)):
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    await row.refresh_from_db()
    return row


async def cancel_staff_invitation(*, invitation_id: int, company_id: int) -> StaffInvitation:
    """The company withdraws an invitation not yet answered."""
    row = await StaffInvitation.filter(id=invitation_id, company_id=company_id).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    if row.status != InvitationStatus.PENDING or not await StaffInvitation.filter(
            id=row.id, status=InvitationStatus.PENDING).update(status=InvitationStatus.CANCELLED,
                                                               responded_at=datetime.now(UTC)):
        raise DomainError(AccountCode.NOT_PENDING, "This invitation was already answered", "id")
    await row.refresh_from_db()
    return row


async def _write_grants(staff: StaffMember, grants: list[GrantSpec]) -> None:
    await StaffGrant.filter(staff_id=staff.id).delete()
    unique = list(dict.fromkeys(grants))
    await StaffGrant.bulk_create(
        [StaffGrant(company_id=staff.company_id, staff_id=staff.id, role_id=g.role_id, community_id=g.community_id)
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
    if staff.user_id == actor_user_id and (active is False or grants is not None):
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


async def create_platform_admin(*, phone: str, name: str, password: str | None) -> User:
    """Make a person a platform administrator: a new phone gets an account with this name and password; an existing
    account only gains the role and keeps its own name and password (giving a password for it is refused)."""
    user, created = await find_or_create_user(phone=phone, name=clean_name(name, required=True), password=password)
    if not created and password:
        raise DomainError(AccountCode.ACCOUNT_EXISTS, "This phone number already has an account: leave the password empty to "
                                          "give it the role", "password")
    if not user.is_platform_admin:
        user.is_platform_admin = True
        await user.save(update_fields=["is_platform_admin", "updated_at"])
    return user
