"""Quality check results and scores, read from `app.data_quality_checks` (written by Dagster)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.quality import (
    QualityCheckQuery,
    QualityChecksPublic,
    QualitySummary,
    TableQuality,
)
from api.schemas.versions import FailingCheck
from api.services.rows import fetch_page

# The newest result of each (check, table): what the quality page shows as "current". Every
# check runs at least hourly (quality_job), so only the day before the newest result is read:
# an index range scan instead of a sort of the whole, ever-growing history.
LATEST_CHECKS = """
    select distinct on (check_name, table_name) *
    from app.data_quality_checks
    where checked_at >= (select max(checked_at) from app.data_quality_checks) - interval '26 hours'
    order by check_name, table_name, checked_at desc, id desc
"""


def score(*, passed: int, warned: int, total: int) -> float:
    """0-100: a pass counts 1, a warning 1/2, a failure 0."""
    return round((passed + warned / 2) / total * 100, 2)


async def list_checks(session: AsyncSession, query: QualityCheckQuery) -> QualityChecksPublic:
    source = LATEST_CHECKS if query.latest else "select * from app.data_quality_checks"
    matching = f"""
        select * from ({source}) as source
        where (cast(:status as text) is null or status = :status)
            and (cast(:table_name as text) is null or table_name = :table_name)
            and (cast(:check_name as text) is null or check_name = :check_name)
    """
    params = {
        "status": query.status.value if query.status else None,
        "table_name": query.table_name,
        "check_name": query.check_name,
        "limit": query.per_page,
        "offset": query.offset,
    }
    page = await fetch_page(
        session, matching, order_by="checked_at desc, id desc", key="id", params=params
    )
    return QualityChecksPublic.model_validate(page)


async def get_summary(session: AsyncSession) -> QualitySummary:
    """Scores per table and overall, over the latest result of each check."""
    statement = text(f"""
        select
            table_name,
            count(*) filter (where status = 'pass') as passed,
            count(*) filter (where status = 'warn') as warned,
            count(*) filter (where status = 'fail') as failed,
            count(*) as total,
            max(checked_at) as last_checked_at
        from ({LATEST_CHECKS}) as latest
        group by table_name
        order by table_name
    """)
    rows = (await session.execute(statement)).mappings().all()
    tables = [
        TableQuality(
            score=score(passed=row["passed"], warned=row["warned"], total=row["total"]), **row
        )
        for row in rows
    ]
    passed = sum(table.passed for table in tables)
    warned = sum(table.warned for table in tables)
    total = sum(table.total for table in tables)
    return QualitySummary(
        score=score(passed=passed, warned=warned, total=total) if total else None,
        passed=passed,
        warned=warned,
        failed=sum(table.failed for table in tables),
        total=total,
        last_checked_at=max((t.last_checked_at for t in tables if t.last_checked_at), default=None),
        tables=tables,
    )


async def list_failing_checks(session: AsyncSession) -> list[FailingCheck]:
    """The blocking (error-severity) checks whose latest result fails."""
    statement = text(f"""
        select check_name, table_name, status, description, run_id
        from ({LATEST_CHECKS}) as latest
        where status = 'fail'
        order by check_name, table_name
    """)
    rows = (await session.execute(statement)).mappings().all()
    return [FailingCheck.model_validate(row) for row in rows]
