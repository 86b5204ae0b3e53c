"""A small generated snapshot with churn paths, for the pipeline tests (seeded: the same frame every time)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from bankcrm.churn.service.features import SNAPSHOT


def months(first: date, n: int) -> list[date]:
    """n consecutive month starts from ``first``."""
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def snapshot(customers: int, n_months: int = 12, seed: int = 7, first: date = date(2025, 1, 1)) -> pl.DataFrame:
    """Rows as the snapshot query returns them: most customers steady, about one in eight declining from a random
    month (transfers out, salary stopping, time deposits not renewed) and closing everything three months on."""
    rng = np.random.default_rng(seed)
    ms = months(first, n_months)
    rows: dict[str, list] = {c: [] for c in SNAPSHOT}
    for cid in range(1, customers + 1):
        base = float(rng.lognormal(11, 1.0)) * 100
        salary = rng.random() < 0.5
        leave_at = int(rng.integers(3, n_months + 3)) if rng.random() < 0.12 else None
        dip_at = int(rng.integers(0, n_months)) if leave_at is None and rng.random() < 0.1 else None
        renews = rng.random() < 0.5  # half of those leaving let a time deposit run off first
        tier = "VIP" if base > 20_000_000 else "MASS"
        for mi, month in enumerate(ms):
            if leave_at is not None and mi > leave_at:
                break
            falling = (leave_at is not None and mi >= leave_at - 3) or (
                dip_at is not None and dip_at <= mi < dip_at + 2
            )
            k = (leave_at - mi) / 4 if falling and leave_at is not None else (0.7 if falling else 1.0)
            aum = int(base * max(k, 0.0) * (1 + rng.normal(0, 0.05)))
            closed = leave_at is not None and mi == leave_at
            rows["customer_id"].append(cid)
            rows["month"].append(month)
            rows["kind"].append("individual")
            rows["tier"].append(tier)
            rows["aum_end"].append(0 if closed else max(aum, 0))
            rows["aum_avg"].append(0 if closed else max(aum, 0))
            rows["time_end"].append(0 if falling and not renews else int(base * 0.4))
            rows["wealth_end"].append(int(base * 0.2 * (0 if falling else 1)))
            rows["products"].append(0 if closed else 2 + cid % 3 - (1 if falling else 0))
            out = int(rng.integers(1, 4)) if falling and rng.random() < 0.7 else int(rng.random() < 0.05)
            rows["transfer_out_other_count"].append(out)
            rows["transfer_out_other_amount"].append(int(out * base * 0.15))
            rows["salary_count"].append(1 if salary and not falling else 0)
            rows["days_since_txn"].append(int(rng.integers(1, 20)) + (25 if falling and rng.random() < 0.5 else 0))
            rows["tenure_months"].append(12 + cid % 60 + mi)
            rows["age"].append(25 + cid % 50)
            rows["txn_count"].append(int(rng.integers(2, 30)) // (3 if falling else 1))
    return pl.DataFrame(rows)
