"""Synthetic e-commerce data in the Olist layout: all eight files, deterministic per seed.

Shapes follow the public dataset: ~3% repeat buyers, one customer_id per order, mostly delivered
orders with some canceled/unavailable, multi-payment orders paid with vouchers, late deliveries,
reviews with multi-line Portuguese comments, categories with an English translation (one left
untranslated, as in the real file), and a translation file that starts with a UTF-8 BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from orchestration.ingest.files import make_private

STATES = [
    ("SP", "sao paulo", 0.42),
    ("RJ", "rio de janeiro", 0.13),
    ("MG", "belo horizonte", 0.12),
    ("RS", "porto alegre", 0.055),
    ("PR", "curitiba", 0.05),
    ("SC", "florianopolis", 0.036),
    ("BA", "salvador", 0.034),
    ("DF", "brasilia", 0.021),
    ("ES", "vitoria", 0.02),
    ("GO", "goiania", 0.02),
    ("PE", "recife", 0.017),
    ("CE", "fortaleza", 0.013),
    ("PA", "belem", 0.01),
    ("MT", "cuiaba", 0.009),
    ("AM", "manaus", 0.005),
]
CATEGORIES = [
    ("cama_mesa_banho", "bed_bath_table"),
    ("beleza_saude", "health_beauty"),
    ("esporte_lazer", "sports_leisure"),
    ("moveis_decoracao", "furniture_decor"),
    ("informatica_acessorios", "computers_accessories"),
    ("utilidades_domesticas", "housewares"),
    ("relogios_presentes", "watches_gifts"),
    ("telefonia", "telephony"),
    ("ferramentas_jardim", "garden_tools"),
    ("automotivo", "auto"),
    ("brinquedos", "toys"),
    ("cool_stuff", "cool_stuff"),
    ("perfumaria", "perfumery"),
    ("bebes", "baby"),
    ("eletronicos", "electronics"),
    ("papelaria", "stationery"),
]
UNTRANSLATED = "pc_gamer"  # present in products, absent from the translation file (as in the real data)
STATUSES = [
    ("delivered", 0.962),
    ("shipped", 0.012),
    ("canceled", 0.007),
    ("unavailable", 0.006),
    ("invoiced", 0.004),
    ("processing", 0.004),
    ("created", 0.0025),
    ("approved", 0.0025),
]
TITLES = ["Recomendo", "Ótimo produto", "Chegou antes do prazo", "Não recebi", "Produto com defeito", ""]
COMMENTS = [
    "Produto muito bom, entrega rápida.",
    "Chegou antes do prazo.\nRecomendo a loja!",
    'O produto veio diferente do anúncio, "cor errada".\nVou devolver.',
    "Não recebi o produto até agora, péssimo atendimento.",
    "Bom custo-benefício; embalagem caprichada.",
    "Comprei dois, veio só um.\r\nAguardo retorno, obrigado.",
]
START = dt.datetime(2016, 9, 4, 21, 15)
SPAN_SECONDS = int((dt.datetime(2018, 9, 3, 9, 6) - START).total_seconds())


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _fmt(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([item for item, _ in weighted], weights=[weight for _, weight in weighted])[0]


def generate_olist(out: Path, customers: int, seed: int = 42) -> dict[str, int]:
    """Write the eight Olist files for `customers` people into `out`; returns rows written per file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    n_products = max(50, customers // 30)
    n_sellers = max(10, customers // 300)
    sellers = [_hex(rng) for _ in range(n_sellers)]
    categories = [pt for pt, _ in CATEGORIES] + [UNTRANSLATED]
    products = [
        (
            _hex(rng),
            None if rng.random() < 0.015 else rng.choice(categories),
            round(rng.lognormvariate(4.0, 0.9) + 5, 2),
        )
        for _ in range(n_products)
    ]
    state_weights = [(f"{uf}|{city}", weight) for uf, city, weight in STATES]

    with (out / "product_category_name_translation.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["product_category_name", "product_category_name_english"])
        writer.writerows(CATEGORIES)
    counts["product_category_name_translation.csv"] = len(CATEGORIES)

    with (out / "olist_products_dataset.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "product_id",
                "product_category_name",
                "product_name_lenght",
                "product_description_lenght",
                "product_photos_qty",
                "product_weight_g",
                "product_length_cm",
                "product_height_cm",
                "product_width_cm",
            ]
        )
        for product_id, category, _price in products:
            missing = category is None
            writer.writerow(
                [
                    product_id,
                    category or "",
                    "" if missing else rng.randint(10, 76),
                    "" if missing else rng.randint(20, 3990),
                    "" if missing else rng.randint(1, 8),
                    rng.randint(50, 30000),
                    rng.randint(7, 105),
                    rng.randint(2, 105),
                    rng.randint(6, 118),
                ]
            )
    counts["olist_products_dataset.csv"] = len(products)

    with (out / "olist_sellers_dataset.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"])
        for seller_id in sellers:
            uf, city = _pick(rng, state_weights).split("|")
            writer.writerow([seller_id, f"{rng.randint(1000, 99990):05d}", city, uf])
    counts["olist_sellers_dataset.csv"] = len(sellers)

    files = {
        name: (out / name).open("w", encoding="utf-8", newline="")
        for name in (
            "olist_customers_dataset.csv",
            "olist_orders_dataset.csv",
            "olist_order_items_dataset.csv",
            "olist_order_payments_dataset.csv",
            "olist_order_reviews_dataset.csv",
        )
    }
    try:
        w = {name: csv.writer(handle) for name, handle in files.items()}
        w["olist_customers_dataset.csv"].writerow(
            [
                "customer_id",
                "customer_unique_id",
                "customer_zip_code_prefix",
                "customer_city",
                "customer_state",
            ]
        )
        w["olist_orders_dataset.csv"].writerow(
            [
                "order_id",
                "customer_id",
                "order_status",
                "order_purchase_timestamp",
                "order_approved_at",
                "order_delivered_carrier_date",
                "order_delivered_customer_date",
                "order_estimated_delivery_date",
            ]
        )
        w["olist_order_items_dataset.csv"].writerow(
            [
                "order_id",
                "order_item_id",
                "product_id",
                "seller_id",
                "shipping_limit_date",
                "price",
                "freight_value",
            ]
        )
        w["olist_order_payments_dataset.csv"].writerow(
            ["order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"]
        )
        w["olist_order_reviews_dataset.csv"].writerow(
            [
                "review_id",
                "order_id",
                "review_score",
                "review_comment_title",
                "review_comment_message",
                "review_creation_date",
                "review_answer_timestamp",
            ]
        )
        rows = dict.fromkeys(files, 0)
        previous_review: str | None = None
        for _ in range(customers):
            unique_id = _hex(rng)
            uf, city = _pick(rng, state_weights).split("|")
            zip_prefix = f"{rng.randint(1000, 99990):05d}"
            draw = rng.random()
            n_orders = 1 if draw < 0.969 else 2 if draw < 0.993 else rng.randint(3, 7)
            for _order in range(n_orders):
                if rng.random() < 0.05:  # people move: the latest order's address wins
                    uf, city = _pick(rng, state_weights).split("|")
                customer_id, order_id = _hex(rng), _hex(rng)
                w["olist_customers_dataset.csv"].writerow([customer_id, unique_id, zip_prefix, city, uf])
                rows["olist_customers_dataset.csv"] += 1
                status = _pick(rng, STATUSES)
                purchased = START + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
                approved = (
                    None if status == "created" else purchased + dt.timedelta(minutes=rng.randint(1, 2880))
                )
                estimated = (purchased + dt.timedelta(days=rng.randint(10, 45))).replace(
                    hour=0, minute=0, second=0
                )
                carrier = delivered = None
                if status in ("delivered", "shipped") or (status == "canceled" and rng.random() < 0.1):
                    carrier = (approved or purchased) + dt.timedelta(hours=rng.randint(6, 150))
                if status == "delivered":
                    late = rng.random() < 0.08
                    days = rng.randint(1, 20) if late else -rng.randint(0, 20)
                    delivered = estimated + dt.timedelta(days=days, hours=rng.randint(8, 20))
                    if carrier and delivered <= carrier:
                        delivered = carrier + dt.timedelta(hours=rng.randint(12, 72))
                w["olist_orders_dataset.csv"].writerow(
                    [
                        order_id,
                        customer_id,
                        status,
                        _fmt(purchased),
                        _fmt(approved),
                        _fmt(carrier),
                        _fmt(delivered),
                        _fmt(estimated),
                    ]
                )
                rows["olist_orders_dataset.csv"] += 1

                total = 0.0
                if status not in ("unavailable", "created") and not (
                    status == "canceled" and rng.random() < 0.5
                ):
                    n_items = 1 if rng.random() < 0.9 else rng.randint(2, 4)
                    product_id, _cat, base_price = rng.choice(products)
                    seller_id = rng.choice(sellers)
                    for item in range(1, n_items + 1):
                        if item > 1 and rng.random() < 0.4:
                            product_id, _cat, base_price = rng.choice(products)
                        freight = round(rng.uniform(7, 40), 2)
                        total += base_price + freight
                        w["olist_order_items_dataset.csv"].writerow(
                            [
                                order_id,
                                item,
                                product_id,
                                seller_id,
                                _fmt(purchased + dt.timedelta(days=rng.randint(2, 7))),
                                f"{base_price:.2f}",
                                f"{freight:.2f}",
                            ]
                        )
                        rows["olist_order_items_dataset.csv"] += 1
                if total == 0.0:
                    total = round(rng.uniform(20, 200), 2)
                kind = rng.random()
                if kind < 0.03:  # vouchers, often several, then the rest by card
                    parts = [round(total * share, 2) for share in (0.3, 0.2)]
                    payments = [
                        ("voucher", 1, parts[0]),
                        ("voucher", 1, parts[1]),
                        ("credit_card", rng.randint(1, 6), round(total - sum(parts), 2)),
                    ]
                elif kind < 0.76:
                    payments = [("credit_card", rng.choice([1, 1, 1, 2, 3, 4, 5, 6, 8, 10]), round(total, 2))]
                elif kind < 0.96:
                    payments = [("boleto", 1, round(total, 2))]
                elif kind < 0.985:
                    payments = [("voucher", 1, round(total, 2))]
                else:
                    payments = [("debit_card", 1, round(total, 2))]
                for sequential, (ptype, installments, value) in enumerate(payments, start=1):
                    w["olist_order_payments_dataset.csv"].writerow(
                        [order_id, sequential, ptype, installments, f"{value:.2f}"]
                    )
                    rows["olist_order_payments_dataset.csv"] += 1

                if rng.random() < 0.992:
                    late_or_bad = delivered is not None and delivered.date() > estimated.date()
                    score = rng.choices(
                        [1, 2, 3, 4, 5], weights=[35, 8, 12, 18, 27] if late_or_bad else [10, 3, 8, 19, 60]
                    )[0]
                    review_id = previous_review if previous_review and rng.random() < 0.003 else _hex(rng)
                    previous_review = review_id
                    has_comment = rng.random() < 0.42
                    created = (delivered or estimated) + dt.timedelta(days=1)
                    created = created.replace(hour=0, minute=0, second=0)
                    w["olist_order_reviews_dataset.csv"].writerow(
                        [
                            review_id,
                            order_id,
                            score,
                            rng.choice(TITLES) if has_comment and rng.random() < 0.3 else "",
                            rng.choice(COMMENTS) if has_comment else "",
                            _fmt(created),
                            _fmt(created + dt.timedelta(hours=rng.randint(2, 120))),
                        ]
                    )
                    rows["olist_order_reviews_dataset.csv"] += 1
        counts.update(rows)
    finally:
        for handle in files.values():
            handle.close()
    make_private(out)  # the files name people: owner-only, like real extracts
    return counts
