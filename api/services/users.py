"""Registering and authenticating users."""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.security import hash_password, verify_password
from api.models import User
from api.schemas.users import UserRegister


class EmailTakenError(Exception):
    pass


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(func.lower(User.email) == email.lower()))
    return result.scalar_one_or_none()


async def create_user(session: AsyncSession, user_in: UserRegister) -> User:
    """Emails are unique case-insensitively: a second `Ada@x` for `ada@x` is a duplicate."""
    if await get_user_by_email(session, user_in.email) is not None:
        raise EmailTakenError(user_in.email)
    hashed = await run_in_threadpool(hash_password, user_in.password)  # ~0.1 s of CPU
    user = User(email=user_in.email.lower(), full_name=user_in.full_name, hashed_password=hashed)
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        await session.rollback()
        raise EmailTakenError(user_in.email) from exc
    await session.refresh(user)
    return user


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    user = await get_user_by_email(session, email)
    hashed = user.hashed_password if user is not None else None
    if not await run_in_threadpool(verify_password, password, hashed):
        return None
    return user
