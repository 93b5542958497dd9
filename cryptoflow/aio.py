"""Bounded shutdown of background tasks, robust to cancellations that get swallowed.

On Python 3.11, `asyncio.wait_for` returns the inner result instead of raising when a
cancellation lands in the same loop iteration as the inner operation completes (fixed in 3.12).
redis-py wraps every socket write in `wait_for`, so a task publishing to Redis can lose one
`cancel()` and carry on: a `TaskGroup` or `asyncio.run` waiting for it then waits forever
(docs/live-prices.md, "Shutdown"). Every shutdown path therefore cancels again until the task
is done, and gives up after a deadline instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import structlog

log = structlog.get_logger(__name__)

RECANCEL_EVERY_S = 0.1


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[Any]], *, timeout_s: float
) -> set[asyncio.Task[Any]]:
    """Cancel `tasks`, re-cancelling any that swallowed it, until all are done or `timeout_s`.

    Returns the tasks still running at the deadline (logged), so callers never block longer.
    Exceptions of the finished tasks are retrieved here: shutdown reports them, not the loop.
    """
    owned = list(tasks)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    pending = {task for task in owned if not task.done()}
    while pending and (remaining := deadline - loop.time()) > 0:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_EVERY_S, remaining))
    for task in owned:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("task failed", task=task.get_name(), error=repr(task.exception()))
    if pending:
        log.error("tasks still running at the deadline", tasks=[t.get_name() for t in pending])
    return pending
