"""The expectation suites: complete, well-formed, in line with the contract and the marts,
and each rule able to fail (real GX on small frames)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ka_pipeline.landing.contract import ENTITIES, LINEAGE_COLUMNS
from ka_pipeline.quality.frames import Batch, derived_input
from ka_pipeline.quality.parameters import PROVIDERS
from ka_pipeline.quality.suites import EXPECTATIONS_DIR, SuiteError, load_suite, load_suites
from ka_pipeline.settings import DBT_PROJECT_DIR

MARTS_YML = DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml"
COLUMN_KWARGS = ("column", "column_A", "column_B")


def mart_columns() -> dict[str, list[str]]:
    models = yaml.safe_load(MARTS_YML.read_text(encoding="utf-8"))["models"]
    return {m["name"]: [c["name"] for c in m["columns"]] for m in models}


def frame_columns(suite, delivered: list[str]) -> set[str]:
    return {*delivered, *suite.derived_columns}


def referenced_columns(suite) -> set[str]:
    columns: set[str] = set()
    for expectation in suite.expectations:
        kwargs = expectation["kwargs"]
        columns |= {kwargs[k] for k in COLUMN_KWARGS if k in kwargs}
        columns |= set(kwargs.get("column_list", []))
    for name, spec in suite.derived_columns.items():
        columns.add(derived_input(name, spec))
    return columns


def test_every_source_and_mart_has_a_suite():
    raw = {s.table for s in load_suites(layer="raw")}
    assert raw == {f"raw.{e.table}" for e in ENTITIES}
    marts = {s.table for s in load_suites(layer="marts")}
    assert marts == {f"marts.{m}" for m in mart_columns() if m.startswith("mart_")}


@pytest.mark.parametrize("suite", load_suites(), ids=lambda s: s.name)
def test_suite_references_only_columns_it_has(suite):
    if suite.asset_key[0] == "raw":
        entity = next(e for e in ENTITIES if f"raw.{e.table}" == suite.table)
        delivered = [
            *entity.columns,
            *(["_raw_line"] if entity.file_format == "jsonl" else []),
            *LINEAGE_COLUMNS,
        ]
    else:
        delivered = mart_columns()[suite.asset_key[1]]
    assert referenced_columns(suite) <= frame_columns(suite, delivered)
    for expectation in suite.expectations:
        assert expectation["meta"].get("why"), f"{suite.name}: {expectation['type']} has no why"
        column_set = expectation["kwargs"].get("column_set")
        if column_set is not None:  # the schema rule lists exactly the documented columns
            assert set(column_set) == set(delivered)
    for spec in suite.parameters.values():
        assert spec["provider"] in PROVIDERS
    assert suite.check_name.replace("_", "").isalnum()


def test_every_suite_has_blocking_and_warning_rules():
    for suite in load_suites():
        assert any(suite.can_block(i) for i in range(len(suite.expectations))), suite.name
    raw = load_suites(layer="raw")
    assert all(any(e["severity"] == "warning" for e in s.expectations) for s in raw)


def test_a_malformed_suite_is_rejected_with_its_path(tmp_path: Path):
    good = json.loads(next(iter(load_suites(layer="marts"))).path.read_text(encoding="utf-8"))
    first = {k: v for k, v in good["expectations"][0].items() if k != "severity"}
    broken = dict(good, expectations=[first])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(SuiteError, match=r"broken\.json.*severity"):
        load_suite(path)
    undeclared = dict(good)
    undeclared["expectations"] = [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": {"$PARAMETER": "nowhere"}},
            "severity": "warning",
            "meta": {"why": "x"},
        }
    ]
    path.write_text(json.dumps(undeclared), encoding="utf-8")
    with pytest.raises(SuiteError, match="undeclared parameters"):
        load_suite(path)


# ------------------------------------------------------------------ real GX, tiny frames
def tiny_suite(tmp_path: Path, expectations: list[dict], min_rows_to_block: int = 0):
    path = tmp_path / "tiny.json"
    path.write_text(
        json.dumps(
            {
                "name": "raw.tiny",
                "meta": {
                    "asset_key": ["raw", "tiny"],
                    "table": "raw.tiny",
                    "batch": "table",
                    "min_rows_to_block": min_rows_to_block,
                },
                "expectations": expectations,
            }
        ),
        encoding="utf-8",
    )
    return load_suite(path)


SCORE_RANGE = {
    "type": "expect_column_values_to_be_between",
    "kwargs": {"column": "score__num", "min_value": 1, "max_value": 5, "mostly": 0.9},
    "severity": "critical",
    "meta": {"why": "scores 1..5"},
}
KEY_UNIQUE = {
    "type": "expect_column_values_to_be_unique",
    "kwargs": {"column": "id"},
    "severity": "warning",
    "meta": {"why": "unique ids"},
}


def frame(scores: list, ids: list | None = None) -> pd.DataFrame:
    n = len(scores)
    return pd.DataFrame(
        {
            "id": ids or [f"S{i}" for i in range(n)],
            "score": [str(s) for s in scores],
            "score__num": [float(s) for s in scores],
            "_source_file": ["feedback/x.jsonl"] * n,
            "_row_number": list(range(1, n + 1)),
        }
    )


def test_error_and_warning_severities_and_metadata(tmp_path):
    from ka_pipeline.quality.runner import validate

    suite = tiny_suite(tmp_path, [SCORE_RANGE, KEY_UNIQUE])
    passing = validate(suite, Batch(frame([1, 2, 3, 4, 5] * 4), {}, "clean"))
    assert passing.passed and passing.severity is None

    bad = frame([1, 2, 7, 9, 3] * 4, ids=["S1"] * 2 + [f"S{i}" for i in range(2, 20)])
    result = validate(suite, Batch(bad, {}, "defective", sources={"score__num": "score"}))
    assert result.severity == "error"
    (error,) = result.errors
    assert error.label == "column_values_to_be_between(score__num)"
    assert (error.unexpected_count, error.element_count) == (8, 20)
    assert error.samples == ["'7'", "'9'"]  # the delivered text, not the parsed number
    assert error.rows[0] == "feedback/x.jsonl:3 (score='7')"
    (warning,) = result.warnings
    assert warning.column == "id" and warning.unexpected_count == 2
    assert "score__num" in result.markdown() and "ERROR" in result.markdown()


def test_small_batches_do_not_block_on_shares(tmp_path):
    from ka_pipeline.quality.runner import validate

    suite = tiny_suite(tmp_path, [SCORE_RANGE], min_rows_to_block=20)
    small = validate(suite, Batch(frame([1, 7, 3]), {}, "3 rows"))
    assert small.severity == "warn"
    assert "too few to block" in small.warnings[0].note
    large = validate(suite, Batch(frame([1, 7, 3] * 10), {}, "30 rows"))
    assert large.severity == "error"
    empty = validate(suite, Batch(frame([]), {}, "nothing delivered"))
    assert empty.passed


def test_a_warning_rule_escalates_to_error_on_a_systemic_share(tmp_path):
    from ka_pipeline.quality.runner import validate

    rule = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "score__num", "min_value": 1, "max_value": 5, "mostly": 0.99},
        "severity": "warning",
        "meta": {"error_above_percent": 10, "why": "scores 1..5"},
    }
    suite = tiny_suite(tmp_path, [rule])
    few_bad = validate(suite, Batch(frame([7] + [3] * 39), {}, "2.5 % bad"))
    assert few_bad.severity == "warn"
    many_bad = validate(suite, Batch(frame([7] * 25 + [3] * 75), {}, "25 % bad"))
    assert many_bad.severity == "error"
    all_bad = validate(suite, Batch(frame([7] * 27), {}, "a whole bad file"))
    assert all_bad.severity == "error"


def test_a_share_above_the_limit_on_a_small_batch_only_warns(tmp_path):
    """3 bad rows of 27 (11 %) are above a 10 % limit, but the Wilson lower bound of the
    share (4.5 % at share_gate_z 1.645) is not: the export may be fine, so it warns."""
    from ka_pipeline.quality.runner import validate
    from ka_pipeline.quality.share_gate import project_share_gate_z, wilson_lower_bound

    assert project_share_gate_z() == 1.645
    assert round(100 * wilson_lower_bound(3, 27, 1.645), 1) == 4.5
    assert wilson_lower_bound(3, 27, 0) == 3 / 27  # z = 0: the plain share
    rule = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "score__num", "min_value": 1, "max_value": 5, "mostly": 0.99},
        "severity": "warning",
        "meta": {"error_above_percent": 10, "why": "scores 1..5"},
    }
    suite = tiny_suite(tmp_path, [rule], min_rows_to_block=20)
    result = validate(suite, Batch(frame([7] * 3 + [3] * 24), {}, "3 of 27 bad"))
    assert result.severity == "warn"
    (warning,) = result.warnings
    assert "11.1 % failing, but its lower bound 4.5 % is not above 10 %" in warning.note


def test_personal_data_is_never_sampled(tmp_path):
    from ka_pipeline.quality.runner import validate

    rule = {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "phone", "regex": "^1[0-9]{10}$"},
        "severity": "warning",
        "meta": {"why": "mobile numbers"},
    }
    suite = tiny_suite(tmp_path, [rule])
    suite.meta["personal_data_columns"] = ["phone"]
    batch = frame([1, 2])
    batch["phone"] = ["13800000000", "call me: 555-0100"]
    (warning,) = validate(suite, Batch(batch, {}, "contacts")).warnings
    assert warning.samples == ["(personal data, not shown)"] and warning.rows == []
    assert "555-0100" not in json.dumps(warning.as_dict())


def test_gx_accepts_every_suite():
    from ka_pipeline.quality.runner import gx_runtime

    gx = gx_runtime().gx
    for suite in load_suites():
        gx_suite = gx.ExpectationSuite(**suite.gx_json())
        assert len(gx_suite.expectations) == len(suite.expectations)


def test_a_failed_outcome_without_element_count_is_summarised_not_a_crash():
    # GX gives no element_count for some expectations; a mart suite with one huge order
    # line crashed here with TypeError (NoneType.__format__) before
    from ka_pipeline.quality.results import ExpectationOutcome, SuiteResult

    outcome = ExpectationOutcome(
        index=0,
        type="expect_column_values_to_be_between",
        column="revenue_cny",
        declared_severity="error",
        severity="error",
        success=False,
        unexpected_count=1,
        element_count=None,
    )
    assert outcome.found == "1 rows"
    suite = load_suite(EXPECTATIONS_DIR / "marts" / "mart_account_rfm.json")
    result = SuiteResult(suite, "mart_account_rfm", 1, [outcome])
    assert "revenue_cny): 1 rows" in result.summary()
    assert "| 1 rows |" in result.markdown()
