"""Shared fixtures: the reference data comes from settings (EVIMAP_DATA_DIR or ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.settings import Settings, load_settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with a per-session lexicon cache, so tests never write to the home folder."""
    return load_settings(cache_dir=str(tmp_path_factory.mktemp("evimap-cache")))


@pytest.fixture(scope="session")
def lexicon(settings: Settings):  # type: ignore[no-untyped-def]
    """The compiled MeSH lexicon, built once per test session."""
    from evimap.entities import load_lexicon

    return load_lexicon(settings)


@pytest.fixture(scope="session")
def resources(settings: Settings, lexicon):  # type: ignore[no-untyped-def]
    """The lexicon and the shipped NER model, as ``evimap ingest`` loads them."""
    from evimap.entities import load_ner
    from evimap.pipeline import Resources

    return Resources(lexicon, load_ner(settings))


@pytest.fixture(scope="session")
def data_dir(settings: Settings) -> Path:
    path = Path(settings.data_dir)
    if not path.is_dir():
        pytest.fail(f"reference data missing at {path}: set EVIMAP_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def seeds_dir(data_dir: Path) -> Path:
    return data_dir / "seeds"


@pytest.fixture(scope="session")
def seed_paths(seeds_dir: Path) -> dict[str, Path]:
    """The five seed pages by their three-digit prefix ("000" ... "004")."""
    return {p.name[:3]: p for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "examples" / "corpus"


#: A scraped page carrying markup that must show as text and never run in the web UI.
HOSTILE_PAGE = (
    "Magnesium for migraine <script>document.title='pwned'</script>\n\n"
    "Magnesium was effective in the treatment of migraine <img src=x "
    "onerror=\"window.pwned=1\"> in a small open-label study of 30 patients "
    "<script>window.pwned = true</script>.\n")


@pytest.fixture(scope="session")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.txt"
    path.write_text(HOSTILE_PAGE, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def lbd_store(tmp_path_factory: pytest.TempPathFactory, settings: Settings, data_dir: Path,
              resources):  # type: ignore[no-untyped-def]
    """Swanson's two literatures (../shared/data/lbd: fish oil, Raynaud) in one store, as
    ``evimap ingest`` stores them (the concept index included)."""
    from dataclasses import replace

    from evimap.api import Evimap

    db = tmp_path_factory.mktemp("lbd") / "lbd.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    report = ev.ingest([str(data_dir / "lbd")])
    assert not report.errors and report.added > 1300
    yield ev
    ev.close()
