"""Readable names of the clusters, from their distinguishing features.

A feature distinguishes a cluster when its centroid is at least `THRESHOLD` standard
deviations from the mean of all accounts; the (at most) three strongest make the name, e.g.
"high-value · frequent · low satisfaction". Recency is read the other way round (many days
since the last order = lapsed). A cluster with no distinguishing feature is "average".
Names are made unique with the cluster id when two clusters would read the same.
"""

from __future__ import annotations

import pandas as pd

THRESHOLD = 0.5
MAX_TERMS = 3

# feature -> (label zh, label en) when high, and when low
TERMS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "recency_days": (("久未购买", "lapsed"), ("近期活跃", "recently active")),
    "frequency_orders": (("高频", "frequent"), ("低频", "infrequent")),
    "monetary_revenue_cny": (("高价值", "high-value"), ("低价值", "low-value")),
    "aov_cny": (("大单", "large orders"), ("小单", "small orders")),
    "margin_rate": (("高毛利", "high margin"), ("低毛利", "low margin")),
    "product_line_count": (("多产品线", "broad range"), ("产品线少", "narrow range")),
    "growth_rate": (("增长", "growing"), ("下滑", "declining")),
    "satisfaction": (("满意度高", "high satisfaction"), ("满意度低", "low satisfaction")),
    "collection_rate": (("回款好", "pays on time"), ("回款慢", "slow payer")),
    "tenure_days": (("老客户", "long-standing"), ("新客户", "new")),
}
AVERAGE = ("均衡型", "average")


def cluster_names(centroids: pd.DataFrame) -> pd.DataFrame:
    """cluster_id, cluster_name_zh, cluster_name_en, distinguishing_features (en, with z)."""
    rows = []
    for cluster_id, group in centroids.groupby("cluster_id", sort=True):
        strongest = (
            group.assign(strength=group["z_score"].abs())
            .query("strength >= @THRESHOLD")
            .sort_values(["strength", "feature_name"], ascending=[False, True])
            .head(MAX_TERMS)
        )
        zh, en, described = [], [], []
        for feature, z in zip(strongest["feature_name"], strongest["z_score"], strict=True):
            high, low = TERMS[feature]
            label = high if z > 0 else low
            zh.append(label[0])
            en.append(label[1])
            described.append(f"{feature} {z:+.2f} sd")
        rows.append(
            {
                "cluster_id": int(cluster_id),
                "cluster_name_zh": "·".join(zh) or AVERAGE[0],
                "cluster_name_en": " · ".join(en) or AVERAGE[1],
                "distinguishing_features": "; ".join(described) or "none beyond 0.5 sd",
            }
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["cluster_name_en"]] = counts.get(row["cluster_name_en"], 0) + 1
    for row in rows:
        if counts[row["cluster_name_en"]] > 1:
            row["cluster_name_zh"] += f"（{row['cluster_id']}）"
            row["cluster_name_en"] += f" ({row['cluster_id']})"
    return pd.DataFrame(
        rows,
        columns=["cluster_id", "cluster_name_zh", "cluster_name_en", "distinguishing_features"],
    )
