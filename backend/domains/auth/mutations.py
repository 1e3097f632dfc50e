"""Thin mutation resolvers for sign-in, refresh, logout, password reset and company switching."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id
from backend.core.permissions import require_user
from backend.domains.accounts.types import User
from backend.domains.auth import service, sessions
from backend.domains.auth.types import (
    AuthError,
    AuthOkPayload,
    AuthPayload,
    AuthPhoneChangePayload,
    AuthTokens,
    SmsPurpose,
)


async def _tokens(info: Info, pair: service.TokenPair) -> dict[str, Any]:
    """The payload of a sign-in: the tokens, and the user as the newly signed-in caller sees themself (the request
    itself came without a token, or with the old one)."""
    ctx = info.context
    ctx.principal, ctx.auth_error = await service.authenticate("Bearer " + pair.access_token)
    ctx.reset_loaders()
    return {
        "tokens": AuthTokens(access_token=pair.access_token, refresh_token=pair.refresh_token or None, expires_in=pair.expires_in),
        "user": User.from_model(pair.user),
    }


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Send a 6-digit SMS code (1 a minute, 5 an hour, 10 a day per phone). "
                                     "PHONE_CHANGE sends it to the signed-in person's new number.")
    async def auth_sms_send(self, info: Info, phone: str, purpose: SmsPurpose) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            p = info.context.principal
            await service.send_sms_code(phone=phone, purpose=purpose.value, ip=info.context.ip,
                                        user_id=p.user_id if p is not None else None)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthError, run)

    @strawberry.mutation(description=(
        "Sign in with phone number and password. Every attempt counts until it succeeds: 5 failures lock the "
        "account for 15 minutes (ACCOUNT_LOCKED), 30 from one address refuse it for 15 minutes (RATE_LIMITED); "
        "a good sign-in clears the account's count."
    ))
    async def auth_password_login(self, info: Info, phone: str, password: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            return await _tokens(info, await service.login_password(phone=phone, password=password, ip=ctx.ip, user_agent=ctx.user_agent))

        return await run_mutation(info, AuthPayload, AuthError, run, atomic=False)

    @strawberry.mutation(description=(
        "Sign in with phone number and SMS code; a new number becomes a new account. A code allows 5 tries; "
        "a phone allows 10 wrong codes an hour (any purpose); an address shares 30 failed sign-ins per 15 minutes "
        "with authPasswordLogin."
    ))
    async def auth_sms_login(self, info: Info, phone: str, code: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            return await _tokens(info, await service.login_sms(phone=phone, code=code, ip=ctx.ip, user_agent=ctx.user_agent))

        return await run_mutation(info, AuthPayload, AuthError, run, atomic=False)

    @strawberry.mutation(description=(
        "Sign in from the WeChat mini-program; the first time, confirm a phone with an SMS code (purpose BIND), "
        "under the limits of authSmsLogin."
    ))
    async def auth_wechat_login(
        self, info: Info, code: str, phone: str | None = None, sms_code: str | None = None
    ) -> AuthPayload:
        async def run() -> dict[str, Any]:
            ctx = info.context
            pair = await service.login_wechat(
                code=code, phone=phone, sms_code=sms_code, ip=ctx.ip, user_agent=ctx.user_agent
            )
            return await _tokens(info, pair)

        return await run_mutation(info, AuthPayload, AuthError, run, atomic=False)

    @strawberry.mutation(description=(
        "Trade a refresh token for new tokens; each refresh token works once. 30 failures from one address "
        "refuse it for 15 minutes."
    ))
    async def auth_refresh(self, info: Info, refresh_token: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            return await _tokens(info, await service.refresh_session(refresh_token=refresh_token, ip=info.context.ip))

        return await run_mutation(info, AuthPayload, AuthError, run)

    @strawberry.mutation(description="End this session, or with everywhere every session of yours: their tokens "
                                     "stop working at once.")
    async def auth_logout(self, info: Info, everywhere: bool = False) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            assert info.context.principal is not None
            if everywhere:
                await service.logout_everywhere(user_id=uid)
            else:
                await service.logout(session_id=info.context.principal.session_id)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthError, run)

    @strawberry.mutation(description=(
        "Set a new password with an SMS code (purpose RESET); every session ends. 10 attempts an hour per "
        "address; the code's tries and the phone's wrong codes count as for authSmsLogin."
    ))
    async def auth_password_reset(self, info: Info, phone: str, code: str, new_password: str) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            await service.reset_password(phone=phone, code=code, new_password=new_password, ip=info.context.ip)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthError, run, atomic=False)

    @strawberry.mutation(description="Switch this session to another company the caller works for; returns a new access token.")
    async def auth_switch_company(self, info: Info, company_id: strawberry.ID) -> AuthPayload:
        async def run() -> dict[str, Any]:
            require_user(info.context)
            assert info.context.principal is not None
            pair = await service.switch_company(
                principal=info.context.principal, company_id=decode_id(company_id, "Company", "companyId")
            )
            return await _tokens(info, pair)

        return await run_mutation(info, AuthPayload, AuthError, run)

    @strawberry.mutation(description="Move your account to a new number with the code sent to it (authSmsSend, "
                                     "PHONE_CHANGE); every other session of the account ends, this one stays. "
                                     "PHONE_TAKEN when the number has an account of its own.")
    async def auth_phone_change(self, info: Info, phone: str, code: str) -> AuthPhoneChangePayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            assert info.context.principal is not None
            user = await service.change_phone(user_id=uid, session_id=info.context.principal.session_id, phone=phone,
                                              code=code)
            return {"user": User.from_model(user)}

        return await run_mutation(info, AuthPhoneChangePayload, AuthError, run, atomic=False)

    @strawberry.mutation(description="Change the signed-in caller's password: give the current one (5 wrong tries "
                                     "per 15 minutes, then RATE_LIMITED); every other session of the account ends, "
                                     "this one stays.")
    async def auth_password_change(self, info: Info, current_password: str, new_password: str) -> AuthOkPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            assert info.context.principal is not None
            await sessions.change_password(user_id=uid, session_id=info.context.principal.session_id,
                                           current_password=current_password, new_password=new_password)
            return {"ok": True}

        return await run_mutation(info, AuthOkPayload, AuthError, run, atomic=False)
