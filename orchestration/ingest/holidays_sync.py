"""Brazilian national holidays from the `holidays` library into raw.local_holidays (scope 'national').

Every year of the data has its calendar: the loaders add the years of the punches they load (in the
same transaction), and every command that prepares the database adds the years the data spans plus
the current one and the next two.
"""

from __future__ import annotations

import datetime as dt

import holidays
import psycopg

from orchestration.runtime.database import ConnectionInfo

YEARS_AHEAD = 2


def national_holidays(first_year: int, last_year: int) -> list[tuple[dt.date, str]]:
    calendar = holidays.country_holidays("BR", years=range(first_year, last_year + 1), language="pt_BR")
    return sorted(calendar.items())


def upsert_national_holidays(conn: psycopg.Connection, first_year: int, last_year: int) -> int:
    """Idempotent: adds the national calendar of those years; local holidays (other scopes) stay. Days
    already there are left alone, so a load that stays open never makes another command wait on them."""
    rows = national_holidays(first_year, last_year)
    with conn.cursor() as cursor:
        cursor.executemany(
            """
            insert into raw.local_holidays (holiday_date, scope, name) values (%s, 'national', %s)
            on conflict (holiday_date, scope) do nothing
            """,
            rows,
        )
    return len(rows)


def data_years(conn: psycopg.Connection) -> tuple[int, int] | None:
    """First and last year of any punch (clock files, web clock, HR inclusions)."""
    row = conn.execute(
        """
        select min(year), max(year) from (
            select extract(year from min(punched_at))::int as year from raw.afd_punches
            union all select extract(year from max(punched_at))::int from raw.afd_punches
            union all select extract(year from min(punched_at))::int from raw.punch_adjustments
            union all select extract(year from max(punched_at))::int from raw.punch_adjustments
        ) as years
        """
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def sync_national_holidays(admin: ConnectionInfo) -> int:
    """The calendar of every year the data spans, the current year and the next ones."""
    this_year = dt.date.today().year
    with admin.connect() as conn, conn.transaction():
        spanned = data_years(conn) or (this_year, this_year)
        return upsert_national_holidays(
            conn, min(spanned[0], this_year), max(spanned[1], this_year) + YEARS_AHEAD
        )
