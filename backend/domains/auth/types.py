"""GraphQL types of sign-in and the viewer."""

from __future__ import annotations

from enum import Enum

import strawberry

from backend.core.gql import Info, PayloadError, error_type
from backend.core.loaders import referenced
from backend.core.permissions import require_user
from backend.domains.accounts.types import Permission, Role, StaffInvitation, User
from backend.domains.auth import viewer
from backend.domains.auth.errors import AuthCode
from backend.domains.residents.keys import USER_BINDINGS
from backend.domains.residents.types import UnitBinding
from backend.domains.tenancy.loaders import COMPANY
from backend.domains.tenancy.types import Community, Company


@error_type("Auth", AuthCode)
class AuthError(PayloadError):
    pass


@strawberry.enum(description="What an SMS code will be used for.")
class SmsPurpose(Enum):
    LOGIN = "login"
    RESET = "reset"
    BIND = "bind"
    PHONE_CHANGE = "phone"


@strawberry.type(description="The account on its new number, or why not.")
class AuthPhoneChangePayload:
    user: User | None = strawberry.field(description="You, with the new number; null when refused.")
    errors: list[AuthError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Tokens for an API session.")
class AuthTokens:
    access_token: str = strawberry.field(description="Bearer token for requests; lives 15 minutes.")
    refresh_token: str | None = strawberry.field(
        description="Single-use token for authRefresh (14 days); null when the current one stays valid (company switch)."
    )
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")


@strawberry.type(description="Result of a sign-in or token refresh.")
class AuthPayload:
    tokens: AuthTokens | None = strawberry.field(description="New tokens, when it worked.")
    user: User | None = strawberry.field(description="Who is signed in.")
    errors: list[AuthError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of an action with nothing to return.")
class AuthOkPayload:
    ok: bool | None = strawberry.field(description="True when it worked.")
    errors: list[AuthError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="A company the viewer works for.")
class Membership:
    company: Company = strawberry.field(description="The company.")
    is_current: bool = strawberry.field(description="True for the company of this session.")


@strawberry.type(description="The signed-in caller with their roles, companies, communities and units.")
class Viewer:
    user: User = strawberry.field(description="The caller.")
    is_platform_admin: bool = strawberry.field(description="True for platform administrators.")
    permissions: list[Permission] = strawberry.field(description="Permissions in the current company.")
    _company_id: strawberry.Private[int | None]
    _role_codes: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The company of this session, for staff.")
    async def company(self, info: Info) -> Company | None:
        if self._company_id is None:
            return None
        return Company.from_model(referenced(await COMPANY.of(info.context).load(self._company_id)))

    @strawberry.field(description="Every company the caller works for (for the company switcher).")
    async def memberships(self, info: Info) -> list[Membership]:
        return [Membership(company=Company.from_model(c), is_current=current)
                for c, current in await viewer.memberships(info.context)]

    @strawberry.field(description="Roles held in the current company.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_model(r) for r in await viewer.roles(self._role_codes)]

    @strawberry.field(description="Communities the caller works in (staff) or lives in (residents).")
    async def communities(self, info: Info) -> list[Community]:
        return [Community.from_model(c) for c in await viewer.communities(info.context)]

    @strawberry.field(description="The caller's own unit bindings, pending ones included.")
    async def bindings(self, info: Info) -> list[UnitBinding]:
        return await USER_BINDINGS.of(info.context).load(require_user(info.context))

    @strawberry.field(description="Invitations to join a company's staff that wait for the caller's answer "
                                  "(staffInvitationAccept / staffInvitationDecline).")
    async def staff_invitations(self, info: Info) -> list[StaffInvitation]:
        return [StaffInvitation.from_model(r) for r in await viewer.staff_invitations(info.context)]
