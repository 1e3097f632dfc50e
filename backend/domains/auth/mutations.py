"""Thin mutation resolvers for sign-in, refresh, logout, password reset and company switching."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from backend.core.gql import run_mutation
from backend.core.ids import decode_id
from backend.core.permissions import require_user
from backend.domains.accounts.types import User
from backend.domains.auth import service
from backend.domains.auth.types import AuthErrors, AuthOkPayload, AuthPayload, AuthTokens, SmsPurpose


def _tokens(pair: service.TokenPair) -> dict[str, Any]:
    return {
        "tokens": AuthTokens(access_token=pair.access_token, refresh_token=pair.refresh_token or None, expires_in=pair.expires_in),
        "user": User.from_model(pair.user),
    }


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Send a 6-digit SMS code (1 a minute, 5 an hour, 10 a day per phone).")
    async def auth_sms_send(self, info: Info, phone: str, purpose: SmsPurpose) -> AuthOkPayload:  # type: ignore[valid-type]
        async def run() -> dict[str, Any]:
            await service.send_sms_code(phone=phone, purpose=purpose.value, ip=info.context.ip)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthErrors, run)

    @strawberry.mutation(description="Sign in with phone number and password.")
    async def auth_password_login(self, info: Info, phone: str, password: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            return _tokens(await service.login_password(phone=phone, password=password, ip=ctx.ip, user_agent=ctx.user_agent))

        return await run_mutation(info, AuthPayload, AuthErrors, run)

    @strawberry.mutation(description="Sign in with phone number and SMS code; a new number becomes a new account.")
    async def auth_sms_login(self, info: Info, phone: str, code: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            return _tokens(await service.login_sms(phone=phone, code=code, ip=ctx.ip, user_agent=ctx.user_agent))

        return await run_mutation(info, AuthPayload, AuthErrors, run)

    @strawberry.mutation(description="Sign in from the WeChat mini-program; the first time, confirm a phone with an SMS code (purpose BIND).")
    async def auth_wechat_login(
        self, info: Info, code: str, phone: str | None = None, sms_code: str | None = None
    ) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            pair = await service.login_wechat(
                code=code, phone=phone, sms_code=sms_code, ip=ctx.ip, user_agent=ctx.user_agent
            )
            return _tokens(pair)

        return await run_mutation(info, AuthPayload, AuthErrors, run)

    @strawberry.mutation(description="Trade a refresh token for new tokens; each refresh token works once.")
    async def auth_refresh(self, info: Info, refresh_token: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            return _tokens(await service.refresh_session(refresh_token=refresh_token))

        return await run_mutation(info, AuthPayload, AuthErrors, run)

    @strawberry.mutation(description="End this session: its tokens stop working at once.")
    async def auth_logout(self, info: Info) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            require_user(info.context)
            await service.logout(session_id=info.context.principal.session_id)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthErrors, run)

    @strawberry.mutation(description="Set a new password with an SMS code (purpose RESET); every session ends.")
    async def auth_password_reset(self, info: Info, phone: str, code: str, new_password: str) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            await service.reset_password(phone=phone, code=code, new_password=new_password)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthErrors, run)

    @strawberry.mutation(description="Switch this session to another company the caller works for; returns a new access token.")
    async def auth_switch_company(self, info: Info, company_id: strawberry.ID) -> AuthPayload:
        async def run() -> dict[str, Any]:
            require_user(info.context)
            pair = await service.switch_company(
                principal=info.context.principal, company_id=decode_id(company_id, "Company", "companyId")
            )
            return _tokens(pair)

        return await run_mutation(info, AuthPayload, AuthErrors, run)
