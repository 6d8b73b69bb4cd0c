import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.errors import PlatformError
from orchestration.ingest.olist import ingest_olist_dir
from orchestration.runtime.database import ConnectionInfo
from tests.conftest import failing_inserts

pytestmark = pytest.mark.db
DATA = Path(__file__).resolve().parents[1] / "data" / "olist_small"


def _count(db: ConnectionInfo, table: str) -> int:
    with db.connect() as conn:
        row = conn.execute(f"select count(*) from raw.{table}").fetchone()  # test-only, fixed names
    assert row is not None
    return int(row[0])


def test_small_folder_loads_every_file(fresh_db: ConnectionInfo) -> None:
    summary = ingest_olist_dir(fresh_db, DATA)
    assert {Path(f.file_name).name: f.loaded for f in summary.files} == {
        "olist_customers_dataset.csv": 4,
        "olist_orders_dataset.csv": 4,
        "olist_order_items_dataset.csv": 3,
        "olist_order_payments_dataset.csv": 4,
        "olist_order_reviews_dataset.csv": 2,
        "olist_products_dataset.csv": 2,
        "olist_sellers_dataset.csv": 2,
        "product_category_name_translation.csv": 1,
    }
    assert summary.total("quarantined") == 0
    with fresh_db.connect() as conn:
        message = conn.execute(
            "select review_comment_message from raw.olist_order_reviews where review_id = 'r1'"
        )
        assert message.fetchone() == ("Chegou antes do prazo.\r\nRecomendo!",)
        quoted = conn.execute(
            "select review_comment_message from raw.olist_order_reviews where review_id = 'r2'"
        )
        assert quoted.fetchone() == ('Atrasou, "muito".',)
        # BOM stripped from the first header
        assert conn.execute(
            "select product_category_name from raw.olist_category_translations"
        ).fetchone() == ("cama_mesa_banho",)
        # local time in America/Sao_Paulo (summer time, UTC-2, in January 2018)
        purchased = conn.execute(
            "select order_purchase_timestamp from raw.olist_orders where order_id = 'o1'"
        ).fetchone()
        assert purchased is not None
        assert purchased[0] == dt.datetime(2018, 1, 10, 12, 0, tzinfo=dt.UTC)
        value = conn.execute(
            "select payment_value from raw.olist_order_payments where order_id = 'o1' "
            "and payment_sequential = 1"
        ).fetchone()
        assert value == (Decimal("150.75"),)


def test_reloading_the_same_folder_changes_nothing(fresh_db: ConnectionInfo) -> None:
    ingest_olist_dir(fresh_db, DATA)
    again = ingest_olist_dir(fresh_db, DATA)
    assert all(f.already_loaded for f in again.files)
    assert _count(fresh_db, "olist_orders") == 4
    assert _count(fresh_db, "ingested_files") == 8


def test_overlapping_extract_updates_changed_rows_and_adds_nothing_twice(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    ingest_olist_dir(fresh_db, DATA)
    folder = tmp_path / "extract2"
    shutil.copytree(DATA, folder)
    orders = folder / "olist_orders_dataset.csv"
    text = orders.read_text().replace('"o2","c2","canceled"', '"o2","c2","canceled"')
    text = text.replace(
        '"o4","c4","unavailable","2018-02-10 12:00:00","2018-02-10 12:05:00"',
        '"o4","c4","unavailable","2018-02-10 12:00:00","2018-02-10 12:06:00"',
    )
    text += '"o5","c4","delivered","2018-04-01 08:00:00","","","","2018-04-20 00:00:00"\n'
    orders.write_text(text)
    summary = ingest_olist_dir(fresh_db, folder)
    order_file = next(f for f in summary.files if f.file_name.endswith("olist_orders_dataset.csv"))
    assert (order_file.loaded, order_file.updated, order_file.unchanged) == (1, 1, 3)
    assert _count(fresh_db, "olist_orders") == 5


def test_malformed_rows_are_quarantined_with_line_and_reason_while_good_rows_load(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(DATA, folder)
    with (folder / "olist_orders_dataset.csv").open("a") as handle:
        handle.write('"o6","c1","lost","2018-01-01 10:00:00","","","",""\n')  # line 6: unknown status
        handle.write('"o7","c1","delivered","2018-13-01 10:00:00","","","",""\n')  # line 7: bad date
        handle.write('"o8","c1","delivered"\n')  # line 8: too few fields
        handle.write('"o9","c1","delivered","2018-01-02 10:00:00","","","","2018-01-09 00:00:00"\n')  # good
    with (folder / "olist_order_items_dataset.csv").open("a") as handle:
        handle.write("o9,1,p1,s1,2018-01-03 10:00:00,12;50,1.00\n")  # line 5: bad number
    summary = ingest_olist_dir(fresh_db, folder)
    assert summary.total("quarantined") == 4
    with fresh_db.connect() as conn:
        rows = conn.execute(
            "select file_name, line_number, reason, raw_text from raw.quarantine "
            "order by file_name, line_number"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("olist_order_items_dataset.csv", 5),
        ("olist_orders_dataset.csv", 6),
        ("olist_orders_dataset.csv", 7),
        ("olist_orders_dataset.csv", 8),
    ]
    reasons = [r[2] for r in rows]
    assert reasons[0] == "price: not a number: '12;50'"
    assert reasons[1].startswith("order_status: unknown value 'lost' (expected one of delivered, shipped")
    assert reasons[2] == "order_purchase_timestamp: not a date-time: '2018-13-01 10:00:00'"
    assert reasons[3] == "expected 8 fields, found 3"
    assert rows[3][3] == '"o8","c1","delivered"'
    assert _count(fresh_db, "olist_orders") == 5  # 4 + o9


def test_missing_required_column_quarantines_every_line_of_that_file(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    folder = tmp_path / "nocol"
    shutil.copytree(DATA, folder)
    sellers = folder / "olist_sellers_dataset.csv"
    sellers.write_text(sellers.read_text().replace("seller_id,", "vendor_id,"))
    summary = ingest_olist_dir(fresh_db, folder)
    seller_file = next(f for f in summary.files if f.file_name.endswith("olist_sellers_dataset.csv"))
    assert seller_file.quarantined == 3 and seller_file.loaded == 0
    assert seller_file.first_reasons() == "header lacks column(s) seller_id (3)"
    assert _count(fresh_db, "olist_orders") == 4


def test_conflicting_duplicate_key_in_one_file_is_quarantined(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    folder = tmp_path / "dup"
    shutil.copytree(DATA, folder)
    with (folder / "olist_customers_dataset.csv").open("a") as handle:
        handle.write('"c1","u1","01001","sao paulo","SP"\n')  # same values: a harmless repeat
        handle.write('"c1","u9","01001","sao paulo","SP"\n')  # same key, other person: quarantined
    summary = ingest_olist_dir(fresh_db, folder)
    customers = next(f for f in summary.files if f.file_name.endswith("olist_customers_dataset.csv"))
    assert (customers.loaded, customers.duplicates, customers.quarantined) == (4, 1, 1)
    assert (
        customers.first_reasons() == "duplicate key customer_id=… first seen on line N with other values (1)"
    )
    with fresh_db.connect() as conn:
        reason = conn.execute("select line_number, reason from raw.quarantine").fetchall()
    assert reason == [(7, "duplicate key customer_id=c1 first seen on line 2 with other values")]


def test_a_load_is_atomic_when_a_required_file_is_missing(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    shutil.copytree(DATA, folder)
    (folder / "olist_orders_dataset.csv").unlink()
    with pytest.raises(PlatformError, match="required file\\(s\\) missing: olist_orders_dataset.csv"):
        ingest_olist_dir(fresh_db, folder)
    assert _count(fresh_db, "olist_customers") == 0
    assert _count(fresh_db, "ingested_files") == 0


def test_a_failure_mid_load_leaves_nothing(fresh_db: ConnectionInfo) -> None:
    """The database fails while the sellers file loads (after customers and orders): nothing stays."""
    with (
        failing_inserts(fresh_db, "olist_sellers", "disk full (simulated)"),
        pytest.raises(Exception, match="disk full"),
    ):
        ingest_olist_dir(fresh_db, DATA)
    assert _count(fresh_db, "olist_customers") == 0
    assert _count(fresh_db, "olist_orders") == 0
    assert _count(fresh_db, "ingested_files") == 0


# --- files as real people send them -----------------------------------------------------------------
CUSTOMERS_HEADER = "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n"
ORDERS = (
    "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n"
    "z1,k1,delivered,2018-01-10 10:00:00,,,,\n"
)


def _folder(tmp_path: Path, customers: bytes) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "olist_customers_dataset.csv").write_bytes(customers)
    (folder / "olist_orders_dataset.csv").write_text(ORDERS)
    return folder


def test_a_latin1_file_is_read_as_latin1_and_says_so(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    text = CUSTOMERS_HEADER + "k1,u1,01001,são paulo,SP\nk2,u2,30110,belo horizonte,MG\n"
    summary = ingest_olist_dir(fresh_db, _folder(tmp_path, text.encode("cp1252")))
    customers = summary.files[0]
    assert (customers.encoding, customers.loaded, customers.quarantined) == ("cp1252", 2, 0)
    assert "notice: read as cp1252 (not UTF-8)" in customers.reasons
    with fresh_db.connect() as conn:
        city = conn.execute(
            "select customer_city from raw.olist_customers where customer_id = 'k1'"
        ).fetchone()
    assert city == ("são paulo",)  # not "s\ufffdo paulo"


def test_a_broken_quote_quarantines_its_line_only(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    rows = [f"k{n},u{n},01001,cidade {n},SP" for n in range(1, 46)]
    rows[2] = 'k3,u3,01001,"cidade 3,SP'  # the quote never closes: once, 43 rows after it were lost
    text = CUSTOMERS_HEADER + "\n".join(rows) + "\n"
    summary = ingest_olist_dir(fresh_db, _folder(tmp_path, text.encode()))
    customers = summary.files[0]
    assert (customers.lines, customers.loaded, customers.quarantined) == (46, 44, 1)
    with fresh_db.connect() as conn:
        bad = conn.execute("select line_number, raw_text from raw.quarantine").fetchall()
    assert bad == [(4, 'k3,u3,01001,"cidade 3,SP')]
    assert _count(fresh_db, "olist_customers") == 44


def test_a_missing_optional_column_loads_the_rest(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    text = "customer_id,customer_unique_id,customer_state\nk1,u1,SP\n"
    summary = ingest_olist_dir(fresh_db, _folder(tmp_path, text.encode()))
    customers = summary.files[0]
    assert (customers.loaded, customers.quarantined) == (1, 0)
    assert "notice: no column customer_city (loaded empty)" in customers.reasons
    with fresh_db.connect() as conn:
        row = conn.execute("select customer_state, customer_city from raw.olist_customers").fetchone()
    assert row == ("SP", None)
