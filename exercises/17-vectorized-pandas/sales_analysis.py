"""Exercise 17: vectorise a row-wise pandas analysis. Read README.md for the full spec.

This is the slow original, and it is correct: your rewrite must return exactly the same frames (same columns,
order, dtypes, index and values) without `iterrows`, `itertuples` or `apply(axis=1)`. Keep the schema constants
and the final `.astype(...)` calls; rewrite the bodies.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# The output schemas: column name -> dtype, in column order. Money is in integer cents.
ENRICHED_DTYPES: dict[str, Any] = {
    "order_id": "int64",
    "customer_id": "int64",
    "region": "string",
    "category": "string",
    "date": "datetime64[ns]",
    "quantity": "int64",
    "discount_pct": "int64",
    "revenue": "int64",
    "margin": "int64",
    "size": "string",
    "days_since_signup": "int64",
    "is_first_order": "bool",
}
TRENDS_DTYPES: dict[str, Any] = {
    "customer_id": "int64",
    "order_id": "int64",
    "date": "datetime64[ns]",
    "revenue": "int64",
    "order_number": "int64",
    "revenue_avg3": "float64",
    "cumulative_revenue": "int64",
    "gap_days": "float64",
}
SUMMARY_DTYPES: dict[str, Any] = {
    "region": "string",
    "month": "string",
    "orders": "int64",
    "customers": "int64",
    "revenue": "int64",
    "margin_pct": "float64",
    "top_category": "string",
}


def _size(row: pd.Series) -> str:
    if row["revenue"] < 5_000:
        return "small"
    if row["revenue"] < 50_000:
        return "medium"
    return "large"


def enrich_orders(orders: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """One row per order whose customer and product are both known, with prices, margins and flags, by order_id."""
    customer_by_id = customers.set_index("customer_id")
    product_by_id = products.set_index("product_id")
    rows = []
    for _, order in orders.iterrows():
        if order["customer_id"] not in customer_by_id.index or order["product_id"] not in product_by_id.index:
            continue
        customer = customer_by_id.loc[order["customer_id"]]
        product = product_by_id.loc[order["product_id"]]
        if order["coupon"] == "HALF" and product["category"] == "clearance":
            discount_pct = 50
        else:
            discount_pct = 5 if customer["tier"] == "gold" else 0
            if order["coupon"] == "SAVE10":
                discount_pct += 10
        revenue = order["quantity"] * order["unit_price"] * (100 - discount_pct) // 100
        rows.append(
            {
                "order_id": order["order_id"],
                "customer_id": order["customer_id"],
                "region": customer["region"],
                "category": product["category"],
                "date": order["date"],
                "quantity": order["quantity"],
                "discount_pct": discount_pct,
                "revenue": revenue,
                "margin": revenue - order["quantity"] * product["unit_cost"],
                "days_since_signup": (order["date"] - customer["signup_date"]).days,
            }
        )
    result = pd.DataFrame(rows, columns=[c for c in ENRICHED_DTYPES if c not in ("size", "is_first_order")])
    result = result.sort_values("order_id", ignore_index=True)
    result["size"] = result.apply(_size, axis=1) if len(result) else []

    def is_first_order(row: pd.Series) -> bool:
        same_customer = result[result["customer_id"] == row["customer_id"]]
        earlier = same_customer[
            (same_customer["date"] < row["date"])
            | ((same_customer["date"] == row["date"]) & (same_customer["order_id"] < row["order_id"]))
        ]
        return earlier.empty

    result["is_first_order"] = result.apply(is_first_order, axis=1) if len(result) else []
    return result[list(ENRICHED_DTYPES)].astype(ENRICHED_DTYPES)


def customer_trends(enriched: pd.DataFrame) -> pd.DataFrame:
    """Each customer's orders in time order with running statistics, sorted by customer, date and order_id."""
    ordered = enriched.sort_values(["customer_id", "date", "order_id"], ignore_index=True)
    rows = []
    for position, row in ordered.iterrows():
        # This customer's orders up to and including this one (the frame is sorted by customer, then time).
        history = ordered[(ordered["customer_id"] == row["customer_id"]) & (ordered.index <= position)]
        rows.append(
            {
                "customer_id": row["customer_id"],
                "order_id": row["order_id"],
                "date": row["date"],
                "revenue": row["revenue"],
                "order_number": len(history),
                "revenue_avg3": history["revenue"].tail(3).mean(),
                "cumulative_revenue": history["revenue"].sum(),
                "gap_days": float("nan") if len(history) == 1 else float((row["date"] - history["date"].iloc[-2]).days),
            }
        )
    return pd.DataFrame(rows, columns=list(TRENDS_DTYPES)).astype(TRENDS_DTYPES)


def monthly_summary(enriched: pd.DataFrame) -> pd.DataFrame:
    """Per region and calendar month: order and customer counts, revenue, margin % and the top category."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for _, row in enriched.iterrows():
        key = (row["region"], row["date"].strftime("%Y-%m"))
        g = groups.setdefault(key, {"orders": 0, "customers": set(), "revenue": 0, "margin": 0, "by_category": {}})
        g["orders"] += 1
        g["customers"].add(row["customer_id"])
        g["revenue"] += row["revenue"]
        g["margin"] += row["margin"]
        g["by_category"][row["category"]] = g["by_category"].get(row["category"], 0) + row["revenue"]
    rows = []
    for (region, month), g in sorted(groups.items()):
        # The category with the most revenue; on a tie, the alphabetically first.
        top = min(g["by_category"].items(), key=lambda item: (-item[1], item[0]))[0]
        rows.append(
            {
                "region": region,
                "month": month,
                "orders": g["orders"],
                "customers": len(g["customers"]),
                "revenue": g["revenue"],
                "margin_pct": 100 * g["margin"] / g["revenue"],
                "top_category": top,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_DTYPES)).astype(SUMMARY_DTYPES)
