"""Brand names and synonyms from the ``drug-named-entity-recognition`` dictionary.

The package ships a pickled dictionary (variant -> canonical generic name). Importing the
package itself reads and writes files in the user's home directory, so the dictionary file
is located with :func:`importlib.util.find_spec` and read directly, never imported.
Its own MeSH ids are often the drug's class, so callers resolve the generic *name* through
the MeSH lexicon instead.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PACKAGE = "drug_named_entity_recognition"
DICTIONARY_FILE = "drug_ner_dictionary.pkl.bz2"


def dictionary_path() -> Path | None:
    """The packaged dictionary file, or None when the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / DICTIONARY_FILE
    return path if path.is_file() else None


def _dictionary() -> dict[str, Any] | None:
    """The packaged dictionary, read (None when the package is not installed)."""
    path = dictionary_path()
    if path is None:
        return None
    with bz2.open(path, "rb") as handle:
        data: dict[str, Any] = pickle.load(handle)  # a file of an installed dependency
    return data


def variant_names() -> list[str]:
    """Every drug name variant of the dictionary (generic and brand names)."""
    data = _dictionary()
    return [] if data is None else list(data["drug_variant_to_canonical"])


def brand_names() -> Iterator[tuple[str, str]]:
    """(variant, generic name) pairs, variants other than the generic name itself."""
    data = _dictionary()
    if data is None:
        return
    canon_data: dict[str, dict[str, object]] = data["drug_canonical_to_data"]
    for variant, canonicals in sorted(data["drug_variant_to_canonical"].items()):
        if len(canonicals) != 1:
            continue
        canonical = canonicals[0]
        generic = str(canon_data.get(canonical, {}).get("name") or canonical)
        if variant != canonical and variant != generic.lower():
            yield variant, generic


_SUFFIXED = re.compile(r"-[a-z]{4}$")


def drugbank_generics() -> Iterator[tuple[str, str, list[str]]]:
    """(DrugBank ID, generic name, name variants) of every single-ingredient generic with a
    DrugBank ID; variants are the generic and its brand names, lower-cased."""
    data = _dictionary()
    if data is None:
        return
    canon_data: dict[str, dict[str, object]] = data["drug_canonical_to_data"]
    variants: dict[str, list[str]] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if len(canonicals) == 1:
            # a biologic's four-letter suffix ("erenumab-aooe", Aimovig) names the same drug
            base = _SUFFIXED.sub("", canonicals[0])
            variants.setdefault(base if base in canon_data else canonicals[0], []).append(
                variant)
    for canonical, info in sorted(canon_data.items()):
        db_id = str(info.get("drugbank_id") or "")
        if not db_id.startswith("DB") or "," in canonical or " and " in canonical:
            continue
        name = str(info.get("name") or canonical)
        yield db_id, name, sorted(set(variants.get(canonical, [])) | {canonical})
