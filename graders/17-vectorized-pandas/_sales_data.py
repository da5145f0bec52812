"""Random sales data for exercise 17: orders, customers and products, with unknown ids, ties and coupons."""

from __future__ import annotations

import numpy as np
import pandas as pd

REGIONS = ["north", "south", "east", "west"]
TIERS = ["basic", "silver", "gold"]
CATEGORIES = ["books", "clearance", "games", "garden", "tools"]
COUPONS = ["", "", "", "SAVE10", "HALF"]


def _dates(rng: np.random.Generator, start: str, days: int, size: int) -> pd.Series:
    offsets = rng.integers(0, days, size=size)
    return pd.Series(np.datetime64(start, "D") + offsets.astype("timedelta64[D]")).astype("datetime64[ns]")


def make_data(
    seed: int, n_orders: int, n_customers: int = 50, n_products: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(orders, customers, products). About 3% of orders name an unknown customer and 3% an unknown product."""
    rng = np.random.default_rng(seed)
    customer_ids = rng.choice(1_000_000, size=n_customers, replace=False).astype(np.int64)
    customers = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "region": pd.Series(rng.choice(REGIONS, size=n_customers), dtype="string"),
            "tier": pd.Series(rng.choice(TIERS, size=n_customers), dtype="string"),
            "signup_date": _dates(rng, "2022-06-01", 700, n_customers),
        }
    )
    product_ids = rng.choice(100_000, size=n_products, replace=False).astype(np.int64)
    products = pd.DataFrame(
        {
            "product_id": product_ids,
            "category": pd.Series(rng.choice(CATEGORIES, size=n_products), dtype="string"),
            "unit_cost": rng.integers(50, 20_000, size=n_products).astype(np.int64),
        }
    )
    known_customer = rng.random(n_orders) >= 0.03
    known_product = rng.random(n_orders) >= 0.03
    order_customers = np.where(
        known_customer,
        rng.choice(customer_ids, size=n_orders) if n_customers else -1,
        rng.integers(2_000_000, 3_000_000, size=n_orders),
    )
    order_products = np.where(
        known_product,
        rng.choice(product_ids, size=n_orders) if n_products else -1,
        rng.integers(200_000, 300_000, size=n_orders),
    )
    orders = pd.DataFrame(
        {
            "order_id": rng.permutation(np.arange(10_000, 10_000 + 3 * n_orders, 3)).astype(np.int64),
            "customer_id": order_customers.astype(np.int64),
            "product_id": order_products.astype(np.int64),
            "date": _dates(rng, "2023-01-01", 730, n_orders),
            "quantity": rng.integers(1, 11, size=n_orders).astype(np.int64),
            "unit_price": rng.integers(100, 30_000, size=n_orders).astype(np.int64),
            "coupon": pd.Series(rng.choice(COUPONS, size=n_orders), dtype="string"),
        }
    )
    return orders, customers, products
