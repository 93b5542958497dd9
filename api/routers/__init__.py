"""One router per resource; `api_router` gathers those served under `/api/v1`."""

from fastapi import APIRouter

from api.routers import (
    analytics,
    auth,
    coins,
    market,
    pipeline,
    portfolio,
    quality,
    status,
    watchlist,
)

api_router = APIRouter()
for module in (coins, market, analytics, pipeline, quality, status, auth, portfolio, watchlist):
    api_router.include_router(module.router)
