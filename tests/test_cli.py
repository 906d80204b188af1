"""The command line as people type it: options anywhere, validated choices, search, listings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evimap.cli import cli
from evimap.entities.lexicon import lexicon_path
from evimap.errors import EvimapError
from evimap.settings import Settings


@pytest.fixture(scope="module")
def runner(settings: Settings) -> CliRunner:
    return CliRunner(env={"EVIMAP_CACHE_DIR": str(settings.cache_dir),
                          "EVIMAP_DATA_DIR": str(settings.data_dir)})


@pytest.fixture(scope="module")
def store(tmp_path_factory, runner: CliRunner, seeds_dir: Path, lexicon) -> Path:
    """The seeds ingested with --db typed after the command."""
    db = tmp_path_factory.mktemp("cli") / "seeds.duckdb"
    result = runner.invoke(cli, ["ingest", str(seeds_dir), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "5 document(s) added" in result.output
    return db


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr; a user error (raised to ``evimap.cli.main``, which
    prints it as one line) comes back as stderr's text."""
    result = runner.invoke(cli, list(args))
    err = result.stderr
    if isinstance(result.exception, EvimapError):
        err += f"error: {result.exception}"
    return result.exit_code, result.stdout, err


def test_options_before_or_after_the_command(runner, store, seeds_dir):
    code, out, _ = run(runner, "--db", str(store), "ingest", str(seeds_dir))
    assert code == 0
    assert "5 file(s) (5 with nothing new to store): 0 document(s) added" in out
    after = run(runner, "statements", "--db", str(store), "--json")
    before = run(runner, "--db", str(store), "statements", "--json")
    assert after[0] == 0 and after[1] == before[1] and json.loads(after[1])


def test_choices_are_checked_and_listed(runner, store):
    code, _, err = run(runner, "claims", "--db", str(store), "--predicate", "cures")
    assert code == 2 and "'cures' is not one of" in err and "'treats'" in err
    code, _, err = run(runner, "ingest", "x", "--jobs", "0", "--db", str(store))
    assert code == 2 and "--jobs" in err
    code, _, err = run(runner, "statements", "--db", str(store), "--min-belief", "2")
    assert code == 2 and "--min-belief" in err


def test_listings_limit_sort_and_filter(runner, store):
    everything = json.loads(run(runner, "statements", "--db", str(store), "--json")[1])
    assert len(everything) > 5
    top = json.loads(run(runner, "statements", "--db", str(store), "--json", "--limit", "3",
                         "--sort", "works")[1])
    assert len(top) == 3
    assert [s["n_works"] for s in top] == sorted((s["n_works"] for s in everything),
                                                 reverse=True)[:3]
    strong = json.loads(run(runner, "statements", "--db", str(store), "--json",
                            "--min-belief", "0.2")[1])
    assert strong and all(s["belief"] >= 0.2 for s in strong)
    assert len(strong) < len(everything)
    claims = json.loads(run(runner, "claims", "--db", str(store), "--json", "--predicate",
                            "TREATS", "--limit", "4")[1])
    assert len(claims) == 4 and {c["predicate"] for c in claims} == {"treats"}


def test_evidence_reads_reversed_and_joined_terms(runner, store):
    code, out, _ = run(runner, "evidence", "ketamine", "migraine", "--db", str(store),
                       "--json")
    want = json.loads(out)
    assert code == 0 and want
    code, out, err = run(runner, "evidence", "migraine", "ketamine", "--db", str(store),
                         "--json")
    assert code == 0 and json.loads(out) == want
    assert "read as intervention 'ketamine', condition 'migraine'" in err
    code, out, err = run(runner, "evidence", "ketamine migraine", "--db", str(store), "--json")
    assert code == 0 and json.loads(out) == want


def test_search_answers_misspellings_and_two_terms(runner, store):
    code, out, _ = run(runner, "search", "ketamin", "--db", str(store))
    assert code == 0 and "did you mean" in out and "Ketamine" in out
    code, out, _ = run(runner, "search", "ketamine", "migraine", "--db", str(store), "--json")
    found = json.loads(out)
    assert {c["name"] for c in found["concepts"]} >= {"Ketamine", "Migraine Disorders"}
    assert found["statements"] and all(
        s["subject"]["name"] == "Ketamine" and s["object"]["name"] == "Migraine Disorders"
        for s in found["statements"])
    code, _, err = run(runner, "evidence", "ketamin", "--db", str(store))
    assert code == 1 and "did you mean 'Ketamine'" in err


def test_the_lexicon_cache_is_keyed_by_content(tmp_path, settings: Settings):
    """A copy of the MeSH files (new times) finds the same compiled lexicon."""
    from dataclasses import replace

    copy = tmp_path / "mesh"
    shutil.copytree(settings.mesh_path, copy)
    assert lexicon_path(replace(settings, mesh_dir=str(copy))) == lexicon_path(settings)
