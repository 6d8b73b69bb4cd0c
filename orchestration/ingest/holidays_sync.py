"""Brazilian national holidays from the `holidays` library into raw.local_holidays (scope 'national')."""

from __future__ import annotations

import datetime as dt

import holidays

from orchestration.runtime.database import ConnectionInfo


def national_holidays(first_year: int, last_year: int) -> list[tuple[dt.date, str]]:
    calendar = holidays.country_holidays("BR", years=range(first_year, last_year + 1), language="pt_BR")
    return sorted(calendar.items())


def sync_national_holidays(admin: ConnectionInfo, first_year: int = 2015, years_ahead: int = 2) -> int:
    """Idempotent: upserts the national calendar; local holidays (other scopes) are left alone."""
    rows = national_holidays(first_year, dt.date.today().year + years_ahead)
    with admin.connect() as conn, conn.transaction():
        with conn.cursor() as cursor:
            cursor.executemany(
                """
                insert into raw.local_holidays (holiday_date, scope, name) values (%s, 'national', %s)
                on conflict (holiday_date, scope) do update set name = excluded.name
                where raw.local_holidays.name is distinct from excluded.name
                """,
                rows,
            )
    return len(rows)
