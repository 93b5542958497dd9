"""Shapes shared by several resources."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from cryptoflow.dbt_project import ANALYTICS_PERIODS


class Message(BaseModel):
    message: str = Field(examples=["Holding deleted"])


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


def _analytics_period_enum() -> type[IntEnum]:
    """One member per period of the dbt var `analytics_periods` (cryptoflow.dbt_project)."""
    members = [(f"DAYS_{days}", days) for days in ANALYTICS_PERIODS]
    enum = IntEnum("AnalyticsPeriod", members, module=__name__)  # type: ignore[misc]
    enum.__doc__ = "The look-back windows the analytics models compute, in days."
    return enum


if TYPE_CHECKING:  # its members come from the dbt project: to mypy, any period
    AnalyticsPeriod = IntEnum
else:
    AnalyticsPeriod = _analytics_period_enum()
# The period the API answers for when none is asked (and the dashboard opens on).
DEFAULT_ANALYTICS_PERIOD = AnalyticsPeriod(30)


class PageQuery(BaseModel):
    """Page-number pagination, bounded so a client cannot ask for the whole table at once."""

    model_config = ConfigDict(frozen=True)

    page: int = Field(default=1, ge=1, le=100_000, description="1-based page number")
    per_page: int = Field(default=50, ge=1, le=250, description="rows per page")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


# Every coin-id-shaped input is bounded: CoinGecko ids are short slugs (`bitcoin`, `usd-coin`).
COIN_ID_MAX_LENGTH = 100
MAX_COIN_IDS = 100


def split_ids(ids: str) -> list[str]:
    """`a,b, c` → [a, b, c], deduplicated, order kept."""
    return list(dict.fromkeys(part.strip() for part in ids.split(",") if part.strip()))


def _at_most_max_ids(ids: str | None) -> str | None:
    if ids is not None and len(split_ids(ids)) > MAX_COIN_IDS:
        raise ValueError(f"at most {MAX_COIN_IDS} ids")
    return ids


CoinIds = Annotated[
    str | None,
    Field(max_length=2000, examples=["bitcoin,ethereum,solana"]),
    AfterValidator(_at_most_max_ids),
]


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float):
        raise ValueError("expected an ISO 8601 date-time string")
    return value


# An instant in a request body: an ISO 8601 string, as documented; pydantic alone would also
# read a number as Unix time, which the OpenAPI schema does not allow.
IsoDatetime = Annotated[datetime, BeforeValidator(_not_a_number)]
