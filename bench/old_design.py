"""The previous design, for the API comparison only (not part of the product): hand-written FastAPI
endpoints over SQLAlchemy ORM models of the mart tables, one application user, no row-level security.

Run by bench_api.py as ``uvicorn bench.old_design:app --workers 2`` with OLD_DESIGN_DATABASE_URL set.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import Column, Table, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

engine = create_engine(os.environ.get("OLD_DESIGN_DATABASE_URL", "postgresql+psycopg:///bi_dash"))
SessionLocal = sessionmaker(engine)
app = FastAPI(title="old design (bench only)")


class Base(DeclarativeBase):
    def as_dict(self) -> dict[str, Any]:
        row = {}
        for column in self.__table__.columns:  # type: ignore[attr-defined]
            value = getattr(self, column.key)
            if isinstance(value, dt.date | dt.datetime):
                value = value.isoformat()
            elif isinstance(value, decimal.Decimal):
                value = float(value)
            row[column.key] = value
        return row


def _mapped(name: str, *key: str) -> type[Base]:
    """An ORM class over every column of a mart table (reflected; the key declared, marts have none)."""
    table = Table(
        name,
        Base.metadata,
        *(Column(column, primary_key=True) for column in key),
        schema="marts",
        autoload_with=engine,
    )
    return type(name, (Base,), {"__table__": table})


Customer: Any = _mapped("dim_customers", "customer_unique_id")
Order: Any = _mapped("fct_orders", "order_id")
DailySales: Any = _mapped("fct_daily_sales", "sales_date")
TimesheetDay: Any = _mapped("fct_timesheet_daily", "employee_id", "work_date", "jornada_of_day")


def session() -> Iterator[Session]:
    with SessionLocal() as db:
        yield db


@app.get("/customers/{customer_id}")
def customer(customer_id: str, db: Session = Depends(session)) -> dict[str, Any]:
    found = db.get(Customer, customer_id)
    if found is None:
        raise HTTPException(404)
    return found.as_dict()


@app.get("/customers")
def customers(state: str, limit: int = 50, db: Session = Depends(session)) -> list[dict[str, Any]]:
    query = select(Customer).where(Customer.state == state).order_by(Customer.total_spent.desc()).limit(limit)
    return [row.as_dict() for row in db.scalars(query)]


@app.get("/customers/{customer_id}/orders")
def customer_orders(customer_id: str, db: Session = Depends(session)) -> list[dict[str, Any]]:
    query = select(Order).where(Order.customer_unique_id == customer_id).order_by(Order.purchased_at)
    return [row.as_dict() for row in db.scalars(query)]


@app.get("/daily_sales")
def daily_sales(start: dt.date, end: dt.date, db: Session = Depends(session)) -> list[dict[str, Any]]:
    query = (
        select(DailySales)
        .where(DailySales.sales_date >= start, DailySales.sales_date <= end)
        .order_by(DailySales.sales_date)
    )
    return [row.as_dict() for row in db.scalars(query)]


@app.get("/employees/{employee_id}/timesheet")
def timesheet(
    employee_id: str, start: dt.date, end: dt.date, db: Session = Depends(session)
) -> list[dict[str, Any]]:
    query = (
        select(TimesheetDay)
        .where(TimesheetDay.employee_id == employee_id, TimesheetDay.work_date.between(start, end))
        .order_by(TimesheetDay.work_date)
    )
    return [row.as_dict() for row in db.scalars(query)]
