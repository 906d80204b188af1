"""The docs match the code: commands, settings and store tables named in the docs exist."""

from __future__ import annotations

import re
from pathlib import Path

import click

from evimap.cli import cli
from evimap.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    out = set()
    for name, cmd in group.commands.items():
        out.add(prefix + name)
        if isinstance(cmd, click.Group):
            out |= _commands(cmd, prefix + name + " ")
    return out


def test_every_command_in_the_readme_exists():
    known = _commands(cli)
    used = set()
    for m in re.finditer(r"evimap ((?:[a-z]+)(?: [a-z]+)?)", README):
        words = m.group(1).split()
        if words[0] in {"turns", "runs", "import"}:     # prose; `from evimap import Evimap`
            continue
        two = " ".join(words[:2])
        used.add(two if two in known else words[0])
    assert used, "the README names no command"
    assert used <= known, used - known


def test_every_top_level_command_is_documented():
    for name in cli.commands:
        assert f"evimap {name}" in README, name


def test_every_setting_is_documented():
    for s in SETTINGS:
        assert s.env in README, s.env
        assert s.env in (ROOT / "docs" / "data.md").read_text() or s.name not in (
            "data_dir", "mesh_dir", "cache_dir"), s.env


def test_schema_doc_lists_every_table():
    sql = (ROOT / "src" / "evimap" / "store" / "schema.sql").read_text()
    doc = (ROOT / "docs" / "schema.md").read_text()
    tables = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", sql)
    assert len(tables) >= 10
    for t in tables:
        assert f"`{t}`" in doc, t


def test_ingest_help_names_every_format():
    from evimap.read import FORMATS
    help_text = cli.get_command(click.Context(cli), "ingest").help or ""
    missing = [f.name for f in FORMATS if not re.search(rf"\b{f.name}\b", help_text)]
    assert not missing, f"evimap ingest --help does not name: {missing}"


def test_the_readme_shows_real_output(settings, lexicon) -> None:
    """The README's example output is what the commands print today (regenerate with
    ``python docs/make_readme.py``)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "docs" / "make_readme.py"), "--check",
                           "--data-dir", str(settings.data_dir),
                           "--cache-dir", str(settings.cache_dir)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_not_medical_advice_is_said_everywhere(tmp_path, settings, resources) -> None:
    """README, the HTML report and every page of the web UI say it is not medical advice."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from evimap.api import Evimap
    from evimap.serve.app import create_app

    root = Path(__file__).resolve().parent.parent
    assert "Not medical advice" in (root / "README.md").read_text(encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        out = ev.report(tmp_path / "r.html")
        assert "Not medical advice" in out.read_text(encoding="utf-8")
    app = create_app(replace(settings, db=str(db)))
    with TestClient(app) as client:
        for page in ("/", "/statements", "/documents"):
            assert "Not medical advice" in client.get(page).text, page
