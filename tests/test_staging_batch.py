"""The convention incremental staging's raw-row filter relies on (select_source's
`batch_key`): the key it looks the previous build up by is the model's first unique_key
column, typed as `clean_key` of the raw column of the same name. If a model typed that key
otherwise, a windowed run could miss an older copy of a key and the nightly would no
longer equal a full rebuild; the equality itself is tested in test_orchestration.py."""

from __future__ import annotations

import re

import pytest

from ka_pipeline.settings import DBT_PROJECT_DIR

BASE_MODELS = sorted((DBT_PROJECT_DIR / "models" / "staging").glob("*/base_*.sql"))
INCREMENTAL = [p for p in BASE_MODELS if "staging_batch_config()" in p.read_text()]
# its key is a salted hash of an e-mail or phone key, not clean_key of a raw column: every
# raw row is typed (it is a small entity)
WITHOUT_BATCH_KEY = {"base_crm__contacts"}


def test_the_incremental_base_models_are_found():
    assert len(INCREMENTAL) == 11, [p.stem for p in INCREMENTAL]


@pytest.mark.parametrize("path", INCREMENTAL, ids=lambda p: p.stem)
def test_the_batch_key_is_the_first_unique_key_typed_by_clean_key(path):
    sql = path.read_text(encoding="utf-8")
    (first_key,) = re.findall(r"unique_key=\['(\w+)'", sql)
    batch_keys = re.findall(r"batch_key='(\w+)'", sql)
    if path.stem in WITHOUT_BATCH_KEY:
        assert batch_keys == []
        return
    assert batch_keys == [first_key]
    typed = rf"\{{\{{ clean_key\('(source\.)?{first_key}'\) \}}\}} as {first_key},"
    assert len(re.findall(typed, sql)) == 1, f"{path.stem}: {first_key} is not clean_key-typed"
