"""Source identifiers: the PMID, DOI, PMCID and address (URL) of a document, as its reader
stored them in ``documents.metadata``, checked and normalised, and the links a reader of
the evidence follows (PubMed, doi.org, PubMed Central, the page itself).

Values come from scraped pages and user files, so nothing is trusted: a PMID is digits, a
DOI starts ``10.`` (``doi:`` and ``https://doi.org/`` prefixes dropped), a PMCID is
``PMC`` and digits, a URL is ``http(s)`` with a host; anything else is None. Links are
built only from checked values (the DOI percent-encoded), so a template that escapes its
text can put them in ``href`` safely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

#: The identifier keys every ``source`` object has (a value or None), in this order.
KEYS = ("pmid", "doi", "pmcid", "url")

_PMID = re.compile(r"^(?:pmid:?\s*)?([1-9]\d{0,9})$", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|info:doi/|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMCID = re.compile(r"^(?:pmc)?(\d{1,10})$", re.IGNORECASE)
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


def pmid(value: Any) -> str | None:
    """``"12345"``, ``12345`` or ``"PMID: 12345"`` -> ``"12345"``; anything else None."""
    m = _PMID.match(str(value).strip()) if value not in (None, "") else None
    return m.group(1) if m else None


def doi(value: Any) -> str | None:
    """A bare DOI (``10.1056/NEJMoa1715274``) from a DOI, ``doi:...`` or a doi.org URL."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    bare = _DOI_PREFIX.sub("", text)
    if bare != text and text.lower().startswith("http"):
        bare = unquote(bare)
    return bare if _DOI.match(bare) else None


def pmcid(value: Any) -> str | None:
    """``"PMC3460867"`` or ``"3460867"`` -> ``"PMC3460867"``."""
    m = _PMCID.match(str(value).strip()) if value not in (None, "") else None
    return f"PMC{m.group(1)}" if m else None


def url(value: Any) -> str | None:
    """An ``http``/``https`` address with a host, as written; anything else None."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if _UNSAFE_URL.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def source_ids(metadata: Mapping[str, Any] | None) -> dict[str, str | None]:
    """The checked identifiers of a document's metadata: ``{pmid, doi, pmcid, url}``."""
    meta = metadata or {}
    return {"pmid": pmid(meta.get("pmid")), "doi": doi(meta.get("doi")),
            "pmcid": pmcid(meta.get("pmcid")), "url": url(meta.get("url"))}


def pubmed_url(value: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{value}/"


def doi_url(value: str) -> str:
    """The doi.org link of a DOI, percent-encoded (``<``, ``#``, ``?`` and the like)."""
    return "https://doi.org/" + quote(value, safe="/:;()._-")


def pmc_url(value: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{value}/"


def links(source: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """``(label, href)`` for each identifier a source has: PubMed, doi.org, PMC, its URL.

    The values are checked again, so a source built elsewhere cannot smuggle a
    ``javascript:`` address into a page."""
    ids = source_ids(source)
    out: list[tuple[str, str]] = []
    if ids["pmid"]:
        out.append((f"PMID {ids['pmid']}", pubmed_url(ids["pmid"])))
    if ids["doi"]:
        out.append((f"DOI {ids['doi']}", doi_url(ids["doi"])))
    if ids["pmcid"]:
        out.append((ids["pmcid"], pmc_url(ids["pmcid"])))
    if ids["url"]:
        out.append((urlsplit(ids["url"]).hostname or ids["url"], ids["url"]))
    return out


def merge_sources(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The distinct sources of a set of claims: one per work or document.

    ``rows`` have ``work_id``, ``doc_id``, ``path`` and the identifier keys (already
    checked). Two rows are one source when they share a PMID, else a DOI (any case), else
    a URL; rows with none of them are one source per work. The first row of each wins
    (give rows in a stable order, e.g. by path), and later rows fill identifiers it lacks.
    """
    out: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        keys = _identity(r)
        found = next((by_key[k] for k in keys if k in by_key), None)
        if found is None:
            found = {"work_id": r["work_id"], "doc_id": r["doc_id"], "path": r["path"],
                     **{k: r.get(k) for k in KEYS}}
            out.append(found)
        else:
            for k in KEYS:
                if not found[k] and r.get(k):
                    found[k] = r[k]
        for key in _identity(found) + keys:
            by_key.setdefault(key, found)
    return out


def _identity(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    keys = [(name, str(r[name]).lower()) for name in ("pmid", "doi", "url") if r.get(name)]
    return keys or [("work", str(r["work_id"]))]
