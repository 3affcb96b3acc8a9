"""k-means account clusters with stable ids.

- Features (features.CLUSTER_FEATURES) are log1p-transformed where skewed, then
  standardised (z-scores), so no single unit (CNY against days) dominates the distance.
- k is chosen in [k_min, k_max] by the silhouette score; every k tried is recorded, and a
  k that the data cannot support (k >= number of accounts) is recorded as skipped. The
  previous run's k is kept unless another k is better by more than `K_SWITCH_MARGIN`.
- Stable ids: the new centroids are matched to the previous run's centroids (stored in
  `marts.mart_cluster_centroids`, in transformed but unstandardised units, so they can be
  rescaled with this run's scaler) with the Hungarian algorithm; a matched cluster keeps
  its id, an unmatched one gets the next free id. Without a previous run, ids follow
  descending mean revenue (cluster 1 = highest value).
- Deterministic: inputs sorted by account_id, fixed seeds for k-means, its fit sample
  (above CLUSTER_FIT_SAMPLE accounts) and the silhouette sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ka_pipeline.analytics.features import CLUSTER_FEATURES, FEATURE_NAMES

SILHOUETTE_SAMPLE = 4000  # above this many accounts the silhouette is computed on a sample
# Above this many accounts each k-means is fitted on a seeded sample and every account is
# then assigned to its nearest centroid: a fit is linear in the accounts, and 6 k x 5
# initialisations over the 10M bench's 173k accounts took most of the stage's time;
# 20,000 accounts place 3..8 centroids in 10 dimensions as well.
CLUSTER_FIT_SAMPLE = 20_000
# Hysteresis of k: the previous run's k is kept unless another k's silhouette beats it by
# more than this. Silhouettes of neighbouring k are often within a few thousandths, and
# without it one more day of data can flip k and with it every cluster's meaning.
K_SWITCH_MARGIN = 0.02


@dataclass(frozen=True)
class ClusterFit:
    assignments: pd.DataFrame  # account_id, cluster_id, distance, pca_x, pca_y
    centroids: pd.DataFrame  # cluster_id, feature_name, centroid_transformed, z_score, mean
    k_selection: pd.DataFrame  # k, silhouette, inertia, is_chosen, status
    chosen_k: int
    silhouette: float | None
    message: str


def transform(features: pd.DataFrame) -> np.ndarray:
    columns = []
    for name, _zh, _en, log in CLUSTER_FEATURES:
        values = features[name].to_numpy(dtype=float)
        columns.append(np.log1p(np.clip(values, 0, None)) if log else values)
    return np.column_stack(columns) if columns else np.zeros((len(features), 0))


def fit_clusters(
    features: pd.DataFrame,
    k_min: int,
    k_max: int,
    seed: int,
    previous_centroids: pd.DataFrame | None = None,
) -> ClusterFit:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    features = features.sort_values("account_id").reset_index(drop=True)
    n = len(features)
    raw = transform(features)
    scaler = StandardScaler().fit(raw) if n else None
    scaled = scaler.transform(raw) if n else raw
    scaled = np.nan_to_num(scaled)  # a constant feature has scale 0: StandardScaler gives 0

    sample = (
        np.sort(np.random.default_rng(seed).choice(n, CLUSTER_FIT_SAMPLE, replace=False))
        if n > CLUSTER_FIT_SAMPLE
        else None
    )
    rows, best, fitted = [], None, {}
    for k in range(k_min, k_max + 1):
        if k >= n:
            rows.append((k, None, None, False, f"skipped: k >= number of accounts ({n})"))
            continue
        model = KMeans(n_clusters=k, n_init=5, random_state=seed)
        if sample is None:
            model.fit(scaled)
            fit = (model.labels_, model.cluster_centers_, float(model.inertia_))
        else:
            model.fit(scaled[sample])
            fit = (model.predict(scaled), model.cluster_centers_, -float(model.score(scaled)))
        labels, _centres, inertia = fit
        if len(set(labels)) < 2:
            rows.append((k, None, inertia, False, "skipped: identical accounts"))
            continue
        score = float(
            silhouette_score(
                scaled, labels, sample_size=min(n, SILHOUETTE_SAMPLE), random_state=seed
            )
        )
        rows.append((k, score, inertia, False, "fitted"))
        fitted[k] = (score, fit)
        if best is None or score > best[1] + 1e-12:
            best = (k, score, fit)

    previous_k = (
        int(previous_centroids["cluster_id"].nunique())
        if previous_centroids is not None and not previous_centroids.empty
        else None
    )
    kept = False
    if best is not None and previous_k is not None and previous_k != best[0]:
        previous_fit = fitted.get(previous_k)
        if previous_fit is not None and best[1] - previous_fit[0] <= K_SWITCH_MARGIN:
            best, kept = (previous_k, previous_fit[0], previous_fit[1]), True

    if best is None:
        # fewer accounts than the smallest k: one group, said so in the tables
        labels = np.zeros(n, dtype=int)
        centres = scaled.mean(axis=0, keepdims=True) if n else np.zeros((1, scaled.shape[1]))
        chosen_k, silhouette = (1 if n else 0), None
        message = (
            f"{n} account(s) cannot be split into {k_min}..{k_max} clusters: "
            "all accounts are in one cluster"
        )
    else:
        chosen_k, silhouette, (labels, centres, _inertia) = best
        message = f"k = {chosen_k} chosen by silhouette {silhouette:.3f} among k = {k_min}..{k_max}"
        if kept:
            message += (
                f" (the previous run's k, kept: no other k better by more than {K_SWITCH_MARGIN})"
            )

    k_selection = pd.DataFrame(rows, columns=["k", "silhouette", "inertia", "is_chosen", "status"])
    k_selection["is_chosen"] = k_selection["k"] == chosen_k

    # centroids in transformed units (the scaler of this run undone), for the next run
    transformed_centres = scaler.inverse_transform(centres) if scaler is not None else centres
    ids = _stable_ids(features, labels, transformed_centres, scaler, previous_centroids)
    cluster_ids = np.array([ids[label] for label in labels], dtype=int)
    distances = np.linalg.norm(scaled - centres[labels], axis=1) if n else np.zeros(0)
    coords = _projection(scaled, seed)

    assignments = pd.DataFrame(
        {
            "account_id": features["account_id"],
            "cluster_id": cluster_ids,
            "distance_to_centroid": np.round(distances, 6),
            "pca_x": np.round(coords[:, 0], 6),
            "pca_y": np.round(coords[:, 1], 6),
        }
    )
    centroid_rows = []
    for label in range(len(centres)):
        members = labels == label
        for j, name in enumerate(FEATURE_NAMES):
            centroid_rows.append(
                {
                    "cluster_id": ids[label],
                    "feature_name": name,
                    "centroid_transformed": float(transformed_centres[label, j]),
                    "z_score": float(centres[label, j]),
                    "cluster_mean": float(features.loc[members, name].mean())
                    if members.any()
                    else 0.0,
                }
            )
    centroids = pd.DataFrame(
        centroid_rows,
        columns=["cluster_id", "feature_name", "centroid_transformed", "z_score", "cluster_mean"],
    )
    return ClusterFit(assignments, centroids, k_selection, chosen_k, silhouette, message)


def _stable_ids(features, labels, transformed_centres, scaler, previous) -> dict[int, int]:
    from scipy.optimize import linear_sum_assignment

    k = len(transformed_centres)
    revenue = features["monetary_revenue_cny"].to_numpy(dtype=float)
    value = [
        revenue[labels == label].mean() if (labels == label).any() else 0.0 for label in range(k)
    ]
    by_value = sorted(range(k), key=lambda label: (-value[label], label))
    if previous is None or previous.empty or scaler is None:
        return {label: rank + 1 for rank, label in enumerate(by_value)}

    wide = previous.pivot(index="cluster_id", columns="feature_name", values="centroid_transformed")
    if list(sorted(wide.columns)) != sorted(FEATURE_NAMES):
        return {label: rank + 1 for rank, label in enumerate(by_value)}
    wide = wide[list(FEATURE_NAMES)].sort_index()
    old = np.nan_to_num(scaler.transform(wide.to_numpy(dtype=float)))
    new = np.nan_to_num(scaler.transform(transformed_centres))
    cost = np.linalg.norm(new[:, None, :] - old[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    ids = {int(r): int(wide.index[c]) for r, c in zip(rows, cols, strict=True)}
    next_id = int(wide.index.max()) + 1
    for label in by_value:
        if label not in ids:
            ids[label] = next_id
            next_id += 1
    return ids


def _projection(scaled: np.ndarray, seed: int) -> np.ndarray:
    """2-D PCA coordinates for the report; components signed so the largest loading is
    positive (PCA's sign is arbitrary)."""
    from sklearn.decomposition import PCA

    n, d = scaled.shape
    coords = np.zeros((n, 2))
    components = min(2, n, d)
    if components == 0 or n < 2:
        return coords
    pca = PCA(n_components=components, random_state=seed).fit(scaled)
    result = pca.transform(scaled)
    for j in range(components):
        loading = pca.components_[j]
        sign = 1.0 if loading[np.argmax(np.abs(loading))] >= 0 else -1.0
        coords[:, j] = sign * result[:, j]
    return coords
