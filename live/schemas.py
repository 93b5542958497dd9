"""Response schema of `/api/v1/ws/status`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class WsStatus(BaseModel):
    """Live-price fan-out statistics of the API process that answered (one per worker)."""

    connections: int = Field(description="WebSocket clients connected to this process")
    transport_connections: int = Field(
        description="of those, clients whose frames are written straight to their transport "
        "(the rest go through ASGI send: another server than uvicorn's default)"
    )
    messages_sent: int = Field(description="frames sent to clients since start")
    drops: int = Field(
        description="frames not sent because a client was not draining its socket "
        "(it gets a snapshot once it is)"
    )
    ticks_received: int = Field(description="ticks received from Redis since start")
    malformed: int = Field(description="unparseable pub/sub messages skipped")
    frames_built: int = Field(description="tick frames serialized (once per filter per flush)")
    coins: int = Field(description="coins with a known latest price")
    uptime_s: float
    redis_connected: bool
    events_received: int = Field(description="platform events relayed to clients since start")
    last_tick_at: datetime | None = Field(description="when this process last received a tick")
    last_event_at: datetime | None = Field(
        description="when this process last relayed a platform event"
    )
    pid: int = Field(description="process id of the worker that answered")
