"""Which coins the consumer streams: the warehouse's `marts.dim_coin`, else the simulator's list.

The feed only knows exchange symbols (`BTCUSDT`), the platform only CoinGecko ids (`bitcoin`):
this is the one place that joins them. Before the first ingest the warehouse is empty, so the
simulator's universe (the same 50 real coins) stands in rather than streaming nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import structlog

from cryptoflow.db import make_engine
from cryptoflow.simulator.coins import COINS

log = structlog.get_logger(__name__)

_DIM_COIN_SQL = sa.text(
    "select coin_id, symbol from marts.dim_coin order by market_cap_rank nulls last, coin_id"
)


@dataclass(frozen=True)
class CoinRef:
    coin_id: str
    symbol: str  # lower case, as CoinGecko spells it


def _first_per_symbol(rows: list[tuple[str, str]]) -> list[CoinRef]:
    """CoinGecko reuses symbols across coins; the best-ranked coin owns the exchange ticker."""
    seen: dict[str, CoinRef] = {}
    for coin_id, symbol in rows:
        seen.setdefault(symbol.lower(), CoinRef(coin_id, symbol.lower()))
    return list(seen.values())


def simulator_coins() -> list[CoinRef]:
    return _first_per_symbol([(coin.id, coin.symbol) for coin in COINS])


def load_coins(database_url: str | None) -> list[CoinRef]:
    """Coins of `marts.dim_coin` by market-cap rank; the simulator's coins when it has none."""
    if database_url:
        engine = make_engine(
            database_url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5}
        )
        try:
            with engine.connect() as conn:
                rows = [(str(r[0]), str(r[1])) for r in conn.execute(_DIM_COIN_SQL)]
        except sa.exc.SQLAlchemyError as exc:
            log.warning("dim_coin unreadable, using the simulator's coins", error=str(exc)[:200])
            rows = []
        finally:
            engine.dispose()
        if rows:
            return _first_per_symbol(rows)
        log.warning("marts.dim_coin is empty, using the simulator's coins")
    return simulator_coins()
