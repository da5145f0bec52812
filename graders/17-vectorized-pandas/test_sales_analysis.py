"""Hidden grader for exercise 17: a row-wise pandas analysis, vectorised."""

from __future__ import annotations

import ast
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from _sales_data import make_data
from _sales_original import customer_trends, enrich_orders, monthly_summary
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Perf, Source

ORIGINAL: dict[str, Callable[..., pd.DataFrame]] = {
    "enrich_orders": enrich_orders,
    "customer_trends": customer_trends,
    "monthly_summary": monthly_summary,
}


def assert_same(got: object, expected: pd.DataFrame, call: str) -> None:
    """The learner's frame equals the original's: columns, order, dtypes, index and values."""
    if not isinstance(got, pd.DataFrame):
        pytest.fail(f"{call} returned a {type(got).__name__}, expected a pandas DataFrame", pytrace=False)
    try:
        pd.testing.assert_frame_equal(got, expected)
    except AssertionError as exc:
        detail = "\n".join(str(exc).strip().splitlines()[:12])
        pytest.fail(
            f"{call} differs from the original:\n{detail}\n"
            f"expected (first rows):\n{expected.head(5).to_string()}\ngot (first rows):\n{got.head(5).to_string()}",
            pytrace=False,
        )


def check_all(solution: ModuleType, orders: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> None:
    """All three functions against the original; trends and summary get the original's enriched frame."""
    enriched = enrich_orders(orders, customers, products)
    assert_same(solution.enrich_orders(orders, customers, products), enriched, "enrich_orders")
    assert_same(solution.customer_trends(enriched), customer_trends(enriched), "customer_trends")
    assert_same(solution.monthly_summary(enriched), monthly_summary(enriched), "monthly_summary")


# No row-wise iteration.


def row_wise_calls(source: Source) -> list[str]:
    """Lines that iterate rows: .iterrows(), .itertuples(), or .apply/.agg/.transform with axis=1 / "columns"."""
    found = []
    lines = source.text.splitlines()
    for node in ast.walk(source.tree):
        what = ""
        if isinstance(node, ast.Attribute) and node.attr in ("iterrows", "itertuples"):
            what = f".{node.attr}()"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("apply", "agg", "aggregate", "transform")
        ):
            axes = [kw.value for kw in node.keywords if kw.arg == "axis"]
            if node.func.attr == "apply" and len(node.args) >= 2:
                axes.append(node.args[1])  # DataFrame.apply(func, axis)
            if any(isinstance(a, ast.Constant) and a.value in (1, "columns") for a in axes):
                what = f".{node.func.attr}(..., axis=1)"
        if what:
            found.append(f"line {node.lineno}: `{lines[node.lineno - 1].strip()}` uses {what}")
    return sorted(set(found), key=lambda s: int(s.split(":")[0].split()[1]))


def test_no_row_wise_iteration(source: Source) -> None:
    """The module uses no iterrows, itertuples or apply(axis=1): the grader reads the source and names the line."""
    found = row_wise_calls(source)
    assert not found, (
        "row-by-row code is what this exercise removes; express each step as whole-column operations "
        "(merge, numpy.where/select, groupby(...).cumsum/shift, groupby(...).agg):\n" + "\n".join(found)
    )


# Equal to the original, on generated data.

SIZES = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 90), st.integers(1, 25), st.integers(1, 8))


@pytest.mark.time_limit(40)
@settings(max_examples=20, report_multiple_bugs=False)
@given(SIZES)
def test_enrich_orders_matches_the_original(solution: ModuleType, sizes: tuple[int, int, int, int]) -> None:
    """enrich_orders equals the original on random orders (unknown ids, coupons, tiers, date ties)."""
    orders, customers, products = make_data(*sizes)
    expected = enrich_orders(orders, customers, products)
    assert_same(solution.enrich_orders(orders, customers, products), expected, f"enrich_orders (make_data{sizes})")


@pytest.mark.time_limit(40)
@settings(max_examples=20, report_multiple_bugs=False)
@given(SIZES)
def test_customer_trends_matches_the_original(solution: ModuleType, sizes: tuple[int, int, int, int]) -> None:
    """customer_trends equals the original: order numbers, 3-order averages, running totals, gaps."""
    enriched = enrich_orders(*make_data(*sizes))
    assert_same(solution.customer_trends(enriched), customer_trends(enriched), f"customer_trends (make_data{sizes})")


@pytest.mark.time_limit(40)
@settings(max_examples=20, report_multiple_bugs=False)
@given(SIZES)
def test_monthly_summary_matches_the_original(solution: ModuleType, sizes: tuple[int, int, int, int]) -> None:
    """monthly_summary equals the original: counts, revenue, margin % and the top category per region-month."""
    enriched = enrich_orders(*make_data(*sizes))
    assert_same(solution.monthly_summary(enriched), monthly_summary(enriched), f"monthly_summary (make_data{sizes})")


def frames(
    orders: list[tuple[int, int, int, str, int, int, str]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Hand-made inputs: two customers (gold 1, basic 2), two products (clearance 10, books 20)."""
    customers = pd.DataFrame(
        {
            "customer_id": np.array([1, 2], dtype=np.int64),
            "region": pd.Series(["north", "south"], dtype="string"),
            "tier": pd.Series(["gold", "basic"], dtype="string"),
            "signup_date": pd.to_datetime(["2023-01-01", "2023-06-15"]).astype("datetime64[ns]"),
        }
    )
    products = pd.DataFrame(
        {
            "product_id": np.array([10, 20], dtype=np.int64),
            "category": pd.Series(["clearance", "books"], dtype="string"),
            "unit_cost": np.array([500, 1_000], dtype=np.int64),
        }
    )
    columns = ["order_id", "customer_id", "product_id", "date", "quantity", "unit_price", "coupon"]
    table = pd.DataFrame(orders, columns=columns)
    result = pd.DataFrame(
        {
            "order_id": table["order_id"].astype("int64"),
            "customer_id": table["customer_id"].astype("int64"),
            "product_id": table["product_id"].astype("int64"),
            "date": pd.to_datetime(table["date"]).astype("datetime64[ns]"),
            "quantity": table["quantity"].astype("int64"),
            "unit_price": table["unit_price"].astype("int64"),
            "coupon": table["coupon"].astype("string"),
        }
    )
    return result, customers, products


def test_discount_rules_follow_the_original(solution: ModuleType) -> None:
    """HALF on clearance is 50%; otherwise gold takes 5% and SAVE10 adds 10% (HALF elsewhere adds nothing)."""
    orders, customers, products = frames(
        [
            (1, 1, 10, "2024-01-05", 2, 10_000, "HALF"),  # clearance + HALF: 50
            (2, 1, 20, "2024-01-06", 1, 10_000, "HALF"),  # gold, HALF on books: 5
            (3, 1, 20, "2024-01-07", 3, 3_333, "SAVE10"),  # gold + SAVE10: 15
            (4, 2, 20, "2024-01-08", 1, 999, ""),  # basic, no coupon: 0
            (5, 2, 10, "2024-01-09", 7, 7_777, "SAVE10"),  # basic + SAVE10 on clearance: 10
        ]
    )
    got = solution.enrich_orders(orders, customers, products)
    assert_same(got, enrich_orders(orders, customers, products), "enrich_orders (discount rules)")
    assert got["discount_pct"].tolist() == [50, 5, 15, 0, 10]


def test_orders_with_unknown_customers_or_products_are_dropped(solution: ModuleType) -> None:
    """Orders naming a customer or product that does not exist are left out (an inner join), not kept with NaN."""
    orders, customers, products = frames(
        [
            (1, 1, 10, "2024-02-01", 1, 5_000, ""),
            (2, 99, 10, "2024-02-02", 1, 5_000, ""),  # unknown customer
            (3, 2, 77, "2024-02-03", 1, 5_000, ""),  # unknown product
            (4, 2, 20, "2024-02-04", 1, 5_000, ""),
        ]
    )
    got = solution.enrich_orders(orders, customers, products)
    assert_same(got, enrich_orders(orders, customers, products), "enrich_orders (unknown ids)")


def test_same_day_orders_are_ordered_by_order_id(solution: ModuleType) -> None:
    """Ties on the date are broken by order_id: for the first order, the running statistics and the gaps."""
    orders, customers, products = frames(
        [
            (30, 1, 20, "2024-03-01", 1, 1_000, ""),
            (20, 1, 20, "2024-03-01", 2, 1_000, ""),
            (40, 1, 20, "2024-03-01", 3, 1_000, ""),
            (10, 1, 20, "2024-03-05", 4, 1_000, ""),
            (50, 2, 10, "2024-03-01", 1, 2_000, ""),
        ]
    )
    check_all(solution, orders, customers, products)


def test_empty_orders_give_empty_frames_with_the_schema(solution: ModuleType) -> None:
    """No orders: every function returns an empty frame with the right columns and dtypes."""
    orders, customers, products = make_data(1, 0, 5, 3)
    check_all(solution, orders, customers, products)


def test_input_order_and_index_do_not_matter(solution: ModuleType) -> None:
    """Shuffled rows with a non-default index give the same frames, each with a fresh RangeIndex."""
    orders, customers, products = make_data(17, 150, 20, 6)
    rng = np.random.default_rng(0)
    for frame in (orders, customers, products):
        frame.index = rng.permutation(len(frame)) * 7 + 1000
    orders, customers, products = (f.sample(frac=1.0, random_state=1) for f in (orders, customers, products))
    check_all(solution, orders, customers, products)


def test_inputs_are_not_modified(solution: ModuleType) -> None:
    """None of the functions adds, removes or changes columns of the frames passed in."""
    orders, customers, products = make_data(5, 200, 25, 6)
    copies = [f.copy(deep=True) for f in (orders, customers, products)]
    enriched = enrich_orders(orders, customers, products)
    enriched_copy = enriched.copy(deep=True)
    solution.enrich_orders(orders, customers, products)
    solution.customer_trends(enriched)
    solution.monthly_summary(enriched)
    for name, before, after in zip(
        ["orders", "customers", "products", "enriched"],
        [*copies, enriched_copy],
        [orders, customers, products, enriched],
        strict=True,
    ):
        try:
            pd.testing.assert_frame_equal(after, before)
        except AssertionError:
            pytest.fail(
                f"the {name} frame was modified by your code (columns now {list(after.columns)}); work on a "
                "copy, e.g. the result of merge() or .assign(), never on the caller's frame",
                pytrace=False,
            )


# Speed.


@pytest.mark.perf
@pytest.mark.time_limit(60)
def test_whole_analysis_is_20x_faster_than_the_original(solution: ModuleType, perf: Perf) -> None:
    """enrich → trends → summary on 1 000 orders is at least 20× faster than the row-wise original."""
    orders, customers, products = make_data(2024, 1_000, 300, 40)

    def learner() -> None:
        enriched = solution.enrich_orders(orders, customers, products)
        solution.customer_trends(enriched)
        solution.monthly_summary(enriched)

    def original() -> None:
        enriched = enrich_orders(orders, customers, products)
        customer_trends(enriched)
        monthly_summary(enriched)

    perf.speedup(
        "enrich_orders + customer_trends + monthly_summary (1 000 orders)",
        learner,
        original,
        min_speedup=20.0,
        min_pairs=3,
    )
