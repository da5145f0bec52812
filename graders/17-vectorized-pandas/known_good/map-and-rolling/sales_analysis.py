"""Known-good: lookups with Series.map instead of merge, groupby().rolling() for the average, idxmax for the top."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

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
    cust = customers.set_index("customer_id")
    prod = products.set_index("product_id")
    known = orders["customer_id"].isin(cust.index) & orders["product_id"].isin(prod.index)
    df = orders[known].sort_values("order_id").reset_index(drop=True)
    cid, pid = df["customer_id"], df["product_id"]
    df["region"] = cid.map(cust["region"])
    tier = cid.map(cust["tier"])
    signup = cid.map(cust["signup_date"])
    df["category"] = pid.map(prod["category"])
    unit_cost = pid.map(prod["unit_cost"])
    pct = (tier == "gold").astype("int64") * 5 + (df["coupon"] == "SAVE10").astype("int64") * 10
    half = (df["coupon"] == "HALF") & (df["category"] == "clearance")
    df["discount_pct"] = pct.mask(half.astype(bool), 50)
    df["revenue"] = df["quantity"] * df["unit_price"] * (100 - df["discount_pct"]) // 100
    df["margin"] = df["revenue"] - df["quantity"] * unit_cost
    df["size"] = pd.cut(
        df["revenue"], [-np.inf, 5_000, 50_000, np.inf], right=False, labels=["small", "medium", "large"]
    ).astype("string")
    df["days_since_signup"] = (df["date"] - signup).dt.days
    first_key = df.groupby("customer_id")["date"].transform("min")
    on_first_day = df[df["date"] == first_key]
    first_ids = on_first_day.groupby("customer_id")["order_id"].min()
    df["is_first_order"] = df["order_id"].isin(first_ids)
    return df[list(ENRICHED_DTYPES)].astype(ENRICHED_DTYPES)


def customer_trends(enriched: pd.DataFrame) -> pd.DataFrame:
    df = enriched.sort_values(["customer_id", "date", "order_id"]).reset_index(drop=True)
    g = df.groupby("customer_id")
    df["order_number"] = g.cumcount() + 1
    df["revenue_avg3"] = g["revenue"].rolling(3, min_periods=1).mean().droplevel(0).sort_index()
    df["cumulative_revenue"] = g["revenue"].cumsum()
    df["gap_days"] = g["date"].diff() / pd.Timedelta(days=1)
    return df[list(TRENDS_DTYPES)].astype(TRENDS_DTYPES)


def monthly_summary(enriched: pd.DataFrame) -> pd.DataFrame:
    df = enriched.assign(month=enriched["date"].dt.to_period("M").astype(str))
    out = df.groupby(["region", "month"]).agg(
        orders=("order_id", "count"),
        customers=("customer_id", "nunique"),
        revenue=("revenue", "sum"),
        margin=("margin", "sum"),
    )
    out["margin_pct"] = out["margin"] * 100 / out["revenue"]
    per_cat = df.pivot_table(index=["region", "month"], columns="category", values="revenue", aggfunc="sum")
    # Columns are sorted alphabetically, and idxmax returns the first maximum: ties go to the first name.
    out["top_category"] = per_cat.idxmax(axis=1) if len(per_cat) else pd.Series(dtype="string")
    return out.reset_index()[list(SUMMARY_DTYPES)].astype(SUMMARY_DTYPES)
