"""Liveness and readiness answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    database: Literal["ok"] = "ok"
    redis: Literal["ok"] = "ok"


class NotReady(BaseModel):
    detail: str = Field(examples=["not ready: database unreachable"])
    database: Literal["ok", "unreachable"]
    redis: Literal["ok", "unreachable"]
