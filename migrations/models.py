"""SQLAlchemy models of the raw operational tables (schema ``raw``).

Alembic migrations own the database; these models mirror them for loaders and tests, and
``tests/db/test_migrations.py`` proves that the migrated database and these models agree.
Raw tables keep the source's own column names and accept what the source says; business rules live in dbt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import base as postgresql_base
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from api_contracts.vocabulary import DEFAULT_TIME_ZONE, ORDER_STATUSES

RAW = "raw"

ADJUSTMENT_ACTIONS = ("register", "include", "disregard", "confirm")
CRC_ALGORITHMS = ("modbus", "ccitt_false", "kermit")


class Base(DeclarativeBase):
    metadata = MetaData(
        schema=RAW,
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        },
    )


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (``pg_current_xact_id()``)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "xid8"


# reflection knows the type too (Alembic's comparison of models and database, GX's table reflection)
postgresql_base.ischema_names["xid8"] = Xid8


def _loaded_at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


def _loaded_xid(indexed: bool = False) -> Mapped[int]:
    # the transaction that loaded (or last changed) the row: what a build has not seen yet is exactly
    # what was not visible in the snapshot it starts from (migration 0011)
    return mapped_column(Xid8(), nullable=False, server_default=func.pg_current_xact_id(), index=indexed)


def _nsr_run() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=text("'-infinity'"))


def _file_id() -> Mapped[int | None]:
    # indexed: the foreign key is followed when a file's rows are looked up or its bookkeeping removed
    return mapped_column(BigInteger, ForeignKey(f"{RAW}.ingested_files.file_id"), nullable=True, index=True)


# --- bookkeeping shared by every loader ------------------------------------------------------------
class IngestedFile(Base):
    """One row per distinct file content loaded; the content hash makes reloads no-ops."""

    __tablename__ = "ingested_files"
    __table_args__ = (UniqueConstraint("source", "content_sha256"),)

    file_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    file_name: Mapped[str] = mapped_column(Text, nullable=False)
    content_sha256: Mapped[str] = mapped_column(Text, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    line_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    loaded_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    duplicate_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    quarantined_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    loaded_at: Mapped[dt.datetime] = _loaded_at()


class QuarantinedLine(Base):
    """A line that could not be loaded, kept verbatim with the reason: nothing is lost."""

    __tablename__ = "quarantine"
    __table_args__ = (
        Index(None, "file_id"),
        Index(None, "category"),
        CheckConstraint("kind in ('rejected', 'notice')", name="kind"),
    )

    quarantine_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    file_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(f"{RAW}.ingested_files.file_id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(Text, nullable=False)
    file_name: Mapped[str] = mapped_column(Text, nullable=False)
    line_number: Mapped[int] = mapped_column(Integer, nullable=False)
    raw_text: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    # rejected: the line was not loaded; notice: the line loaded but reveals a problem of the file
    # (an NSR gap, a trailer whose counts disagree)
    kind: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'rejected'"))
    # what kind of problem, for machines (nsr_conflict, nsr_gap, trailer_count, rep_p_chain_break, ...)
    category: Mapped[str | None] = mapped_column(Text)
    quarantined_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


# --- controle_ponto -------------------------------------------------------------------------------
class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (
        CheckConstraint("cpf ~ '^[0-9]{11}$'", name="cpf_digits"),
        CheckConstraint("pis ~ '^[0-9]{11}$'", name="pis_digits"),
        CheckConstraint("origin in ('registry', 'afd')", name="origin"),
        Index(None, "cpf", unique=True, postgresql_where=text("cpf is not null")),
        Index(None, "pis", unique=True, postgresql_where=text("pis is not null")),
    )

    employee_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    cpf: Mapped[str | None] = mapped_column(Text)
    pis: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    manager_id: Mapped[str | None] = mapped_column(Text)
    schedule_code: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text, nullable=False, server_default=text(f"'{DEFAULT_TIME_ZONE}'"))
    hired_at: Mapped[dt.date | None] = mapped_column(Date)
    job_title: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'registry'"))
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class Employer(Base):
    """The employer (CNPJ or CPF) and the time-keeping program's developer, named by the AEJ."""

    __tablename__ = "employers"
    __table_args__ = (
        CheckConstraint("employer_id ~ '^([0-9]{11}|[0-9]{14})$'", name="employer_id_digits"),
        CheckConstraint(
            "developer_id is null or developer_id ~ '^([0-9]{11}|[0-9]{14})$'", name="developer_id_digits"
        ),
    )

    employer_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    caepf: Mapped[str | None] = mapped_column(Text)
    cno: Mapped[str | None] = mapped_column(Text)
    time_zone: Mapped[str] = mapped_column(
        Text, nullable=False, server_default=text(f"'{DEFAULT_TIME_ZONE}'")
    )
    developer_id: Mapped[str | None] = mapped_column(Text)
    developer_name: Mapped[str | None] = mapped_column(Text)
    developer_email: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class WorkSchedule(Base):
    __tablename__ = "work_schedules"
    __table_args__ = (CheckConstraint("weekday between 1 and 7", name="weekday"),)

    schedule_code: Mapped[str] = mapped_column(Text, primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    intervals: Mapped[str] = mapped_column(Text, nullable=False)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class LocalHoliday(Base):
    __tablename__ = "local_holidays"

    holiday_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(Text, primary_key=True, server_default=text("'local'"))
    name: Mapped[str] = mapped_column(Text, nullable=False)
    file_id: Mapped[int | None] = _file_id()  # null for the national calendar (holidays library)
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class AfdPunch(Base):
    """A punch record (AFD type 3, or 7 for REP-P), with its exact source."""

    __tablename__ = "afd_punches"
    __table_args__ = (
        # an NSR is unique per REP and NSR run (a clock that restarts its count opens a new run)
        UniqueConstraint("rep_number", "nsr_run_started_at", "nsr"),
        CheckConstraint("identifier_kind in ('pis', 'cpf')", name="identifier_kind"),
        CheckConstraint("crc_status in ('ok', 'mismatch', 'absent')", name="crc_status"),
        CheckConstraint(
            f"crc_algorithm in ({', '.join(repr(name) for name in CRC_ALGORITHMS)})", name="crc_algorithm"
        ),
        Index(None, "identifier", "punched_at"),
        Index(None, "loaded_at"),
    )

    punch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    rep_number: Mapped[str] = mapped_column(Text, nullable=False)
    nsr: Mapped[int] = mapped_column(BigInteger, nullable=False)
    punched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # 1510 records carry local wall-clock time: kept as written, with the zone used at load
    local_punched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    time_zone: Mapped[str | None] = mapped_column(Text)
    identifier_kind: Mapped[str] = mapped_column(Text, nullable=False)
    identifier: Mapped[str] = mapped_column(Text, nullable=False)
    record_type: Mapped[str] = mapped_column(Text, nullable=False)
    layout: Mapped[str] = mapped_column(Text, nullable=False)
    crc_status: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'absent'"))
    crc_algorithm: Mapped[str | None] = mapped_column(Text)  # which CRC-16 matched
    record_hash: Mapped[str | None] = mapped_column(Text)  # REP-P (type 7): SHA-256 of the chain
    nsr_run_started_at: Mapped[dt.datetime] = _nsr_run()
    file_id: Mapped[int | None] = _file_id()
    line_number: Mapped[int | None] = mapped_column(Integer)
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class AfdRepRun(Base):
    """Where a REP restarted its NSR count: records at or after started_at belong to this run."""

    __tablename__ = "afd_rep_runs"

    rep_number: Mapped[str] = mapped_column(Text, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    file_id: Mapped[int | None] = _file_id()
    line_number: Mapped[int | None] = mapped_column(Integer)


class PunchAdjustment(Base):
    """Punches added (web clock, HR inclusion) or disregarded by HR; originals are never changed."""

    __tablename__ = "punch_adjustments"
    __table_args__ = (
        CheckConstraint(f"action in ({', '.join(repr(a) for a in ADJUSTMENT_ACTIONS)})", name="action"),
        CheckConstraint("action in ('disregard', 'confirm') or punched_at is not null", name="punch_time"),
        CheckConstraint(
            "action not in ('disregard', 'confirm') or punch_id is not null", name="disregarded_punch"
        ),
        CheckConstraint(
            "action = 'register' or length(trim(coalesce(reason, ''))) > 0", name="reason_required"
        ),
        Index(None, "employee_id", "created_at"),
        Index(None, "created_at"),
    )

    adjustment_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    # register/include: the id of the new punch (same sequence as AFD punches); disregard: the target;
    # confirm: the first punch of the jornada HR confirms
    punch_id: Mapped[int | None] = mapped_column(
        BigInteger, server_default=text("nextval(pg_get_serial_sequence('raw.afd_punches', 'punch_id'))")
    )
    punched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("current_user"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class AfdRecord(Base):
    """Every other AFD record (header, company/employee changes, clock adjustments, events, trailer)."""

    __tablename__ = "afd_records"
    __table_args__ = (
        UniqueConstraint("rep_number", "nsr", "record_type", "file_id"),
        Index(None, "rep_number", "nsr_run_started_at", "nsr", unique=True, postgresql_where=text("nsr > 0")),
    )

    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    rep_number: Mapped[str] = mapped_column(Text, nullable=False)
    nsr: Mapped[int] = mapped_column(BigInteger, nullable=False)
    record_type: Mapped[str] = mapped_column(Text, nullable=False)
    layout: Mapped[str] = mapped_column(Text, nullable=False)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    nsr_run_started_at: Mapped[dt.datetime] = _nsr_run()
    file_id: Mapped[int | None] = _file_id()
    line_number: Mapped[int | None] = mapped_column(Integer)
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class EmployeeLink(Base):
    """A person first registered from an AFD type-5 record (AFD-<id>), linked to the registry's employee."""

    __tablename__ = "employee_links"

    afd_employee_id: Mapped[str] = mapped_column(Text, primary_key=True)
    employee_id: Mapped[str] = mapped_column(Text, nullable=False)
    identifier_kind: Mapped[str] = mapped_column(Text, nullable=False)
    file_id: Mapped[int | None] = _file_id()
    linked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class AbsenceCategory(Base):
    """Why an absence may be justified (abono): the vocabulary, with its labels."""

    __tablename__ = "absence_categories"

    category: Mapped[str] = mapped_column(Text, primary_key=True)
    label_pt: Mapped[str] = mapped_column(Text, nullable=False)
    label_en: Mapped[str] = mapped_column(Text, nullable=False)


class AbsenceJustification(Base):
    """HR justifies an absence (abono): the day's deficit is cleared; the latest justification wins."""

    __tablename__ = "absence_justifications"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_required"),
        Index(None, "employee_id", "absence_date"),
        Index(None, "category"),
    )

    justification_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    employee_id: Mapped[str] = mapped_column(Text, nullable=False)
    absence_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    category: Mapped[str] = mapped_column(
        Text, ForeignKey(f"{RAW}.absence_categories.category"), nullable=False
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("current_user"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    loaded_xid: Mapped[int] = _loaded_xid()


# --- customer_360 (Olist layout; source column names kept as they are, typos included) -------------
class OlistCustomer(Base):
    __tablename__ = "olist_customers"
    __table_args__ = (Index(None, "customer_unique_id"),)

    customer_id: Mapped[str] = mapped_column(Text, primary_key=True)
    customer_unique_id: Mapped[str] = mapped_column(Text, nullable=False)
    customer_zip_code_prefix: Mapped[str | None] = mapped_column(Text)
    customer_city: Mapped[str | None] = mapped_column(Text)
    customer_state: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class OlistOrder(Base):
    __tablename__ = "olist_orders"
    __table_args__ = (
        CheckConstraint(
            "order_status in (" + ", ".join(f"'{status}'" for status in ORDER_STATUSES) + ")",
            name="order_status",
        ),
        Index(None, "customer_id"),
    )

    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    customer_id: Mapped[str] = mapped_column(Text, nullable=False)
    order_status: Mapped[str] = mapped_column(Text, nullable=False)
    order_purchase_timestamp: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    order_approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    order_delivered_carrier_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    order_delivered_customer_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    order_estimated_delivery_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class OlistOrderItem(Base):
    __tablename__ = "olist_order_items"

    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    order_item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str | None] = mapped_column(Text)
    seller_id: Mapped[str | None] = mapped_column(Text)
    shipping_limit_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    price: Mapped[Decimal] = mapped_column(Numeric, nullable=False)
    freight_value: Mapped[Decimal] = mapped_column(Numeric, nullable=False)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class OlistOrderPayment(Base):
    __tablename__ = "olist_order_payments"

    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    payment_sequential: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_type: Mapped[str] = mapped_column(Text, nullable=False)
    payment_installments: Mapped[int] = mapped_column(Integer, nullable=False)
    payment_value: Mapped[Decimal] = mapped_column(Numeric, nullable=False)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class OlistOrderReview(Base):
    __tablename__ = "olist_order_reviews"
    __table_args__ = (
        CheckConstraint("review_score between 1 and 5", name="review_score"),
        Index(None, "order_id"),
    )

    review_id: Mapped[str] = mapped_column(Text, primary_key=True)
    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    review_score: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    review_comment_title: Mapped[str | None] = mapped_column(Text)
    review_comment_message: Mapped[str | None] = mapped_column(Text)
    review_creation_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_answer_timestamp: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid(indexed=True)


class OlistProduct(Base):
    __tablename__ = "olist_products"

    product_id: Mapped[str] = mapped_column(Text, primary_key=True)
    product_category_name: Mapped[str | None] = mapped_column(Text)
    product_name_lenght: Mapped[int | None] = mapped_column(Integer)
    product_description_lenght: Mapped[int | None] = mapped_column(Integer)
    product_photos_qty: Mapped[int | None] = mapped_column(Integer)
    product_weight_g: Mapped[int | None] = mapped_column(Integer)
    product_length_cm: Mapped[int | None] = mapped_column(Integer)
    product_height_cm: Mapped[int | None] = mapped_column(Integer)
    product_width_cm: Mapped[int | None] = mapped_column(Integer)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class OlistSeller(Base):
    __tablename__ = "olist_sellers"

    seller_id: Mapped[str] = mapped_column(Text, primary_key=True)
    seller_zip_code_prefix: Mapped[str | None] = mapped_column(Text)
    seller_city: Mapped[str | None] = mapped_column(Text)
    seller_state: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


class OlistCategoryTranslation(Base):
    __tablename__ = "olist_category_translations"

    product_category_name: Mapped[str] = mapped_column(Text, primary_key=True)
    product_category_name_english: Mapped[str] = mapped_column(Text, nullable=False)
    file_id: Mapped[int | None] = _file_id()
    loaded_at: Mapped[dt.datetime] = _loaded_at()
    loaded_xid: Mapped[int] = _loaded_xid()


metadata = Base.metadata
