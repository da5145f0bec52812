"""Known-bad: a Python loop over customers (groupby iteration, no iterrows): correct, but far too slow."""

from __future__ import annotations

from typing import Any

import numpy as np
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


def enrich_orders(orders: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """One row per order whose customer and product are both known, with prices, margins and flags, by order_id."""
    # Inner joins drop the orders whose customer or product is unknown, as the original's `continue` did.
    # The joins build a new frame, so the callers' frames are never modified.
    df = orders.merge(customers, on="customer_id", how="inner").merge(products, on="product_id", how="inner")
    df = df.sort_values("order_id", ignore_index=True)

    # Conditional columns: every branch of the original's if/else evaluated for all rows at once, then picked.
    half_price = (df["coupon"] == "HALF") & (df["category"] == "clearance")
    tier_pct = np.where(df["tier"] == "gold", 5, 0)
    coupon_pct = np.where(df["coupon"] == "SAVE10", 10, 0)
    df["discount_pct"] = np.where(half_price.to_numpy(dtype=bool), 50, tier_pct + coupon_pct)
    # Integer cents: `//` floors exactly like the original's Python ints (all operands are non-negative).
    df["revenue"] = df["quantity"] * df["unit_price"] * (100 - df["discount_pct"]) // 100
    df["margin"] = df["revenue"] - df["quantity"] * df["unit_cost"]
    df["size"] = np.select([df["revenue"] < 5_000, df["revenue"] < 50_000], ["small", "medium"], default="large")
    df["days_since_signup"] = (df["date"] - df["signup_date"]).dt.days

    # A customer's first order: the first row per customer once sorted by (date, order_id).
    chronological = df.sort_values(["customer_id", "date", "order_id"])
    first_ids = chronological.drop_duplicates("customer_id")["order_id"]
    df["is_first_order"] = df["order_id"].isin(first_ids)
    return df[list(ENRICHED_DTYPES)].astype(ENRICHED_DTYPES)


def customer_trends(enriched: pd.DataFrame) -> pd.DataFrame:
    """Each customer's orders in time order with running statistics, sorted by customer, date and order_id."""
    ordered = enriched.sort_values(["customer_id", "date", "order_id"], ignore_index=True)
    parts = []
    for _, group in ordered.groupby("customer_id", sort=True):
        revenues = group["revenue"].tolist()
        days = [d.toordinal() for d in group["date"]]
        totals, averages, gaps = [], [], []
        for k, value in enumerate(revenues):
            totals.append((totals[-1] if totals else 0) + value)
            window = revenues[max(0, k - 2) : k + 1]
            averages.append(sum(window) / len(window))
            gaps.append(float("nan") if k == 0 else float(days[k] - days[k - 1]))
        part = group[["customer_id", "order_id", "date", "revenue"]].copy()
        part["order_number"] = range(1, len(group) + 1)
        part["revenue_avg3"] = averages
        part["cumulative_revenue"] = totals
        part["gap_days"] = gaps
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=list(TRENDS_DTYPES)).astype(TRENDS_DTYPES)
    return pd.concat(parts, ignore_index=True)[list(TRENDS_DTYPES)].astype(TRENDS_DTYPES)


def monthly_summary(enriched: pd.DataFrame) -> pd.DataFrame:
    """Per region and calendar month: order and customer counts, revenue, margin % and the top category."""
    df = enriched.assign(month=enriched["date"].dt.strftime("%Y-%m"))
    keys = ["region", "month"]
    groups = df.groupby(keys)  # sorted by region, then month, like the original's sorted(groups.items())
    summary = groups[["revenue", "margin"]].sum()
    summary["orders"] = groups.size()
    summary["customers"] = groups["customer_id"].nunique()
    # Python's int / int and numpy's int64 / int64 are both the correctly rounded quotient: identical floats.
    summary["margin_pct"] = 100 * summary["margin"] / summary["revenue"]

    # Top category: total revenue per (region, month, category), then sort so the winner of each group comes
    # first (most revenue; on a tie, the alphabetically first category) and keep that row.
    by_category = df.groupby([*keys, "category"])["revenue"].sum().reset_index()
    winners = by_category.sort_values([*keys, "revenue", "category"], ascending=[True, True, False, True])
    top = winners.drop_duplicates(keys).set_index(keys)["category"].rename("top_category")

    result = summary.join(top).reset_index()
    return result[list(SUMMARY_DTYPES)].astype(SUMMARY_DTYPES)
