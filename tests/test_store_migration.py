"""A store of the previous schema version is upgraded in place, nothing lost."""

from __future__ import annotations

import duckdb

from evimap.store import SCHEMA_VERSION, open_store


def test_a_version_2_store_gains_the_rule_column(tmp_path):
    path = tmp_path / "old.duckdb"
    store = open_store(str(path))
    store.close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE evidence DROP COLUMN rule")
    con.execute("INSERT INTO evidence (claim_id, design, asserted_by, extractor) "
                "VALUES ('c1', 'RCT', 'authors', 'rules/0.1')")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    store = open_store(str(path))
    try:
        version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version == str(SCHEMA_VERSION)
        assert store.rows("SELECT claim_id, design, extractor, rule FROM evidence") == [
            {"claim_id": "c1", "design": "RCT", "extractor": "rules/0.1", "rule": None}]
    finally:
        store.close()
