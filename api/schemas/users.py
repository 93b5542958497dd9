"""Users and the tokens they log in for."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # hashing cost must not grow with attacker-chosen input


class UserBase(BaseModel):
    email: EmailStr = Field(max_length=320, examples=["ada@example.com"])
    full_name: str | None = Field(default=None, max_length=255, examples=["Ada Lovelace"])


class UserRegister(UserBase):
    password: str = Field(
        min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH, examples=["correct-horse"]
    )


class UserPublic(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    is_active: bool
    created_at: datetime


class LoginRequest(BaseModel):
    email: EmailStr = Field(max_length=320, examples=["ada@example.com"])
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH, examples=["correct-horse"])


class Token(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="seconds until the token expires", examples=[86400])
