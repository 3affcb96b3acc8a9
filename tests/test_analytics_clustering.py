"""k-means above CLUSTER_FIT_SAMPLE accounts (the 10M bench has 173k): fitted on a seeded
sample, every account assigned to its nearest centroid. Planted groups must be found whole,
the fit must be deterministic, and the recorded inertia must be that of all accounts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ka_pipeline.analytics.clustering import CLUSTER_FIT_SAMPLE, fit_clusters
from ka_pipeline.analytics.features import FEATURE_NAMES

PLANTED = 4


def planted_accounts(n: int, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    """`n` accounts in PLANTED well-separated groups of the (standardised) feature space."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, PLANTED, n)
    centres = rng.normal(0, 1, (PLANTED, len(FEATURE_NAMES))) * 6
    values = centres[group] + rng.normal(0, 0.5, (n, len(FEATURE_NAMES)))
    frame = pd.DataFrame(values, columns=list(FEATURE_NAMES))
    # the log-transformed features must stay >= 0 (log1p of a clipped value)
    for name in ("recency_days", "frequency_orders", "monetary_revenue_cny", "aov_cny"):
        frame[name] = np.exp(frame[name] / 4) * 100
    frame.insert(0, "account_id", [f"A{i:06d}" for i in range(n)])
    return frame, group


def test_many_accounts_are_clustered_from_a_seeded_sample_and_all_assigned():
    n = CLUSTER_FIT_SAMPLE * 2 + 123
    features, group = planted_accounts(n)

    fit = fit_clusters(features, 3, 6, seed=7)
    again = fit_clusters(features.sample(frac=1, random_state=3), 3, 6, seed=7)

    assert fit.chosen_k == PLANTED
    assignments = fit.assignments.set_index("account_id").loc[features["account_id"]]
    assert len(assignments) == n and assignments["cluster_id"].notna().all()
    # each planted group is one cluster, and each cluster one planted group
    pairs = pd.crosstab(group, assignments["cluster_id"].to_numpy())
    assert ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()
    # the inertia recorded for the chosen k is over every account, not the sample
    chosen = fit.k_selection.loc[fit.k_selection["is_chosen"]].iloc[0]
    total = float((assignments["distance_to_centroid"] ** 2).sum())
    assert abs(chosen["inertia"] - total) < 1e-3 * total
    # same accounts in another order: the same fit
    pd.testing.assert_frame_equal(fit.assignments, again.assignments)
    pd.testing.assert_frame_equal(fit.k_selection, again.k_selection)
