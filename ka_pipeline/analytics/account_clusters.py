"""The cluster tables: mart_account_clusters, mart_cluster_profiles, mart_cluster_centroids
and mart_cluster_k_selection, from one `fit_clusters` run."""

from __future__ import annotations

import pandas as pd

from ka_pipeline.analytics.cluster_names import cluster_names
from ka_pipeline.analytics.clustering import ClusterFit, fit_clusters
from ka_pipeline.analytics.features import CLUSTER_FEATURES, FEATURE_NAMES, account_features
from ka_pipeline.analytics.params import AnalyticsParams
from ka_pipeline.analytics.warehouse import AnalyticsWarehouse

CENTROIDS_TABLE = "mart_cluster_centroids"


def previous_centroids(warehouse: AnalyticsWarehouse) -> pd.DataFrame | None:
    """The centroids the last run stored, or None on a first run."""
    if not warehouse.has_table("marts", CENTROIDS_TABLE):
        return None
    return warehouse.query(
        f"select cluster_id, feature_name, centroid_transformed from marts.{CENTROIDS_TABLE} "
        "order by cluster_id, feature_name"
    )


def cluster_tables(
    warehouse: AnalyticsWarehouse, params: AnalyticsParams, as_of
) -> tuple[dict[str, pd.DataFrame], ClusterFit]:
    features = account_features(warehouse)
    fit = fit_clusters(
        features, params.k_min, params.k_max, params.seed, previous_centroids(warehouse)
    )
    names = cluster_names(fit.centroids)
    labels = {name: (zh, en) for name, zh, en, _log in CLUSTER_FEATURES}

    accounts = fit.assignments.merge(names, on="cluster_id", how="left")
    accounts.insert(0, "as_of_date", as_of)
    accounts = accounts[
        ["as_of_date", "account_id", "cluster_id", "cluster_name_zh", "cluster_name_en",
         "distance_to_centroid", "pca_x", "pca_y"]
    ]  # fmt: skip

    sizes = fit.assignments.groupby("cluster_id").size().rename("account_count")
    means = fit.centroids.pivot(index="cluster_id", columns="feature_name", values="cluster_mean")
    means = means.reindex(columns=list(FEATURE_NAMES)).add_suffix("_mean").round(4)
    profiles = names.set_index("cluster_id").join(sizes).join(means).reset_index()
    profiles["account_count"] = profiles["account_count"].fillna(0).astype(int)
    total = max(int(profiles["account_count"].sum()), 1)
    profiles.insert(5, "account_share", (profiles["account_count"] / total).round(4))
    profiles.insert(0, "as_of_date", as_of)
    profiles["chosen_k"] = fit.chosen_k
    profiles["silhouette"] = None if fit.silhouette is None else round(fit.silhouette, 6)
    profiles["sort_order"] = profiles["cluster_id"]

    centroids = fit.centroids.merge(
        names[["cluster_id", "cluster_name_zh", "cluster_name_en"]], on="cluster_id"
    )
    centroids["feature_label_zh"] = centroids["feature_name"].map(lambda f: labels[f][0])
    centroids["feature_label_en"] = centroids["feature_name"].map(lambda f: labels[f][1])
    centroids["feature_sort_order"] = centroids["feature_name"].map(FEATURE_NAMES.index) + 1
    centroids.insert(0, "as_of_date", as_of)
    for column in ("centroid_transformed", "z_score", "cluster_mean"):
        centroids[column] = centroids[column].round(6)
    centroids = centroids.sort_values(["cluster_id", "feature_sort_order"]).reset_index(drop=True)

    k_selection = fit.k_selection.copy()
    k_selection["silhouette"] = (
        k_selection["silhouette"]
        .astype(object)
        .where(k_selection["silhouette"].notna(), None)
        .map(lambda v: None if v is None else round(v, 6))
    )
    k_selection["inertia"] = (
        k_selection["inertia"]
        .astype(object)
        .where(k_selection["inertia"].notna(), None)
        .map(lambda v: None if v is None else round(v, 4))
    )
    k_selection.insert(0, "as_of_date", as_of)
    k_selection["message"] = fit.message

    return (
        {
            "mart_account_clusters": accounts,
            "mart_cluster_profiles": profiles,
            CENTROIDS_TABLE: centroids,
            "mart_cluster_k_selection": k_selection,
        },
        fit,
    )
