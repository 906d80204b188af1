"""Read the MeSH descriptor files and decide each descriptor's entity type.

Types come from MeSH tree branches, in this order of precedence (first rule that fits wins):

1. ``disease``: any tree number in ``C`` (diseases, incl. C23 signs and symptoms such as
   pain, headache, nausea) or ``F03`` (mental disorders).
2. ``mechanism``, a target or process through which an intervention acts:

   * *targets*: receptors (``D12.776.543.750`` cell-surface, ``D12.776.826`` nuclear,
     ``D12.776.827`` drug receptors), membrane transport proteins including ion channels
     (``D12.776.157.530``, ``D12.776.543.585``, ``D12.776.543.550.450``) and enzymes
     (``D08.811``) -- unless MeSH lists a pharmacological action for the descriptor, which
     makes it a drug (botulinum toxin and alteplase are enzymes, and chemicals here);
   * *ligands* (neurotransmitters): a descriptor that MeSH names a neurotransmitter
     receptor or transporter after ("Receptors, Glutamate" -> Glutamate, "Norepinephrine
     Plasma Membrane Transport Proteins" -> Norepinephrine, "Receptors, Calcitonin
     Gene-Related Peptide" -> CGRP), taking receptor headings at most two levels below
     "Receptors, Neurotransmitter" (deeper ones are named after synthetic agonists:
     kainate, AMPA), and leaving out hormones (``D06.472``, also given as drugs),
     pharmacological classes (``D27``) and groups that contain another ligand
     (Catecholamines, Neuropeptides);
   * *processes*: selected nervous-system phenomena (``G11.561``: sensitization, cortical
     excitability incl. cortical spreading depression, kindling, neural inhibition,
     neuroimmunomodulation, plasticity, neuroprotection, neurosecretion, synaptic
     transmission) and oxidative stress; behavioural ones (sleep, sensation, speech) are
     not matched.
3. ``chemical``: any tree number in ``D``.
4. ``procedure``: non-drug interventions in ``E02`` (therapeutics) and ``E04`` (surgery),
   without generic or administrative headings (Therapeutics, Drug Therapy, Patient Care,
   Clinical Protocols, Placebos, ...).

Other branches are not matched. MeSH's top-level category descriptors (Neoplasms, Nervous
System Diseases, ...) have no tree rows in the TSV; the disease ones are mapped by
:data:`CATEGORY_HEADINGS`.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TERMS_FILE = "mesh_terms.tsv.gz"
TREES_FILE = "mesh_trees.tsv.gz"
ACTIONS_FILE = "mesh_pharmacological_actions.tsv"

#: Top-level disease categories absent from the trees file (their tree number has no dot).
CATEGORY_HEADINGS: dict[str, str] = {
    "D007239": "C01", "D009369": "C04", "D009140": "C05", "D004066": "C06",
    "D009057": "C07", "D012140": "C08", "D010038": "C09", "D009422": "C10",
    "D005128": "C11", "D000091642": "C12", "D002318": "C14", "D006425": "C15",
    "D009358": "C16", "D017437": "C17", "D009750": "C18", "D004700": "C19",
    "D007154": "C20", "D007280": "C21", "D000820": "C22", "D009784": "C24",
    "D064419": "C25", "D014947": "C26", "D001523": "F03",
}

DISEASE_BRANCHES = ("C", "F03")
TARGET_BRANCHES: dict[str, str] = {
    "D12.776.543.750": "receptor",
    "D12.776.826": "receptor",
    "D12.776.827": "receptor",
    "D12.776.157.530.400": "channel",
    "D12.776.543.550.450": "channel",
    "D12.776.543.585.400": "channel",
    "D12.776.157.530": "transporter",
    "D12.776.543.585": "transporter",
    "D08.811": "enzyme",
}
PROCESS_BRANCHES = (
    "G11.561.148", "G11.561.200", "G11.561.484", "G11.561.616", "G11.561.630",
    "G11.561.638", "G11.561.645", "G11.561.653", "G11.561.830", "G03.673",
)
NEUROTRANSMITTER_RECEPTORS = "D12.776.543.750.720"
NEUROTRANSMITTER_TRANSPORTERS = ("D12.776.157.530.562", "D12.776.543.585.562")
LIGAND_EXCLUDED = ("D06.472", "D27")
PROCEDURE_BRANCHES = ("E02", "E04")
#: Land plants (B01.875): a genus or species (this deep in the tree or deeper) is an herbal
#: remedy in health text ("butterbur", "feverfew"), typed as a chemical of category plant.
PLANT_BRANCH = "B01.875"
PLANT_MIN_DEPTH = 7
#: Dietary supplements and probiotics (G07.203.300): interventions in health text, typed as
#: chemicals of category supplement.
SUPPLEMENT_BRANCHES = ("G07.203.300",)
#: Exercise and its kinds (I03.350): an intervention ("exercise eases fibromyalgia pain").
EXERCISE_BRANCHES = ("I03.350",)
PROCEDURE_EXCLUDED = (
    "E02.134", "E02.183", "E02.186", "E02.197", "E02.208", "E02.319", "E02.365",
    "E02.637", "E02.760", "E02.782", "E02.785", "E02.860", "E02.887", "E02.895",
    "E02.897", "E02.919", "E02.931", "E02.990", "E04.030", "E04.249", "E04.510",
    "E04.604", "E04.614", "E04.690",
)

_TRANSPORTER_NAME = re.compile(r"^(?:Vesicular )?(.+?) (?:Plasma Membrane )?Transport Proteins$")


@dataclass(frozen=True, slots=True)
class TermRow:
    """One MeSH term of a descriptor."""

    ui: str
    term: str
    rank: int          # 0 descriptor preferred, 1 concept preferred, 2 entry term
    permuted: bool     # a permuted (re-ordered or inflected) form of another term


@dataclass(slots=True)
class MeshData:
    """The parts of MeSH the lexicon needs."""

    names: dict[str, str] = field(default_factory=dict)
    trees: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    actions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    terms: list[TermRow] = field(default_factory=list)


def source_files(mesh_dir: Path) -> list[Path]:
    """The MeSH files the lexicon is compiled from."""
    return [mesh_dir / TERMS_FILE, mesh_dir / TREES_FILE, mesh_dir / ACTIONS_FILE]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def read_mesh(mesh_dir: Path) -> MeshData:
    """Read descriptor names, tree numbers, pharmacological actions and all terms."""
    data = MeshData()
    for row in _rows(mesh_dir / TREES_FILE):
        data.trees[row["DescriptorUI"]].append(row["tree_location"])
    for ui, code in CATEGORY_HEADINGS.items():
        data.trees[ui].append(code)
    for row in _rows(mesh_dir / ACTIONS_FILE):
        data.actions[row["DescriptorUI"]].add(row["PharmActionUI"])
    for row in _rows(mesh_dir / TERMS_FILE):
        ui = row["DescriptorUI"]
        data.names[ui] = row["DescriptorName"]
        if row["RecordPreferredTermYN"] == "Y":
            rank = 0
        elif row["ConceptPreferredTermYN"] == "Y":
            rank = 1
        else:
            rank = 2
        data.terms.append(TermRow(ui, row["TermName"], rank, row["IsPermutedTermYN"] == "Y"))
    return data


def _under(trees: list[str], prefixes: tuple[str, ...] | str) -> bool:
    """Whether any tree number equals or descends from one of ``prefixes``."""
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    return any(t == p or t.startswith(p + ".") or (len(p) == 1 and t.startswith(p))
               for t in trees for p in prefixes)


def _ligand_names(data: MeshData) -> dict[str, str]:
    """Names that neurotransmitter receptors and transporters are named after -> why."""
    named: dict[str, str] = {}
    base_depth = NEUROTRANSMITTER_RECEPTORS.count(".")
    for ui, trees in data.trees.items():
        name = data.names.get(ui, "")
        for tree in trees:
            if (tree.startswith(NEUROTRANSMITTER_RECEPTORS + ".")
                    and tree.count(".") - base_depth <= 2 and name.startswith("Receptors, ")):
                named[name[len("Receptors, "):].split(",")[0].lower()] = name
            elif _under([tree], NEUROTRANSMITTER_TRANSPORTERS):
                m = _TRANSPORTER_NAME.match(name)
                if m:
                    named[m.group(1).lower()] = name
    return named


def ligands(data: MeshData) -> set[str]:
    """Descriptor UIs typed as neurotransmitter ligands (see the module docstring)."""
    named = _ligand_names(data)
    candidates = {row.ui for row in data.terms if row.term.lower() in named}
    candidates = {ui for ui in candidates
                  if data.trees.get(ui) and not _under(data.trees[ui], LIGAND_EXCLUDED)}
    trees = {ui: data.trees[ui] for ui in candidates}

    def is_group(ui: str) -> bool:
        return any(other != ui and _under(trees[other], tuple(trees[ui])) for other in trees)

    return {ui for ui in candidates if not is_group(ui)}


def classify(ui: str, data: MeshData, ligand_uis: set[str]) -> tuple[str, str] | None:
    """The (type, category) of a descriptor, or None when its branches are not matched.

    ``category`` refines the type: ``ligand``, ``receptor``, ``channel``, ``transporter``,
    ``enzyme`` or ``process`` for mechanisms; the type itself otherwise.
    """
    trees = data.trees.get(ui, [])
    if _under(trees, DISEASE_BRANCHES):
        return "disease", "disease"
    if ui in ligand_uis:
        return "mechanism", "ligand"
    if not data.actions.get(ui):
        for prefix, category in TARGET_BRANCHES.items():
            if _under(trees, prefix):
                return "mechanism", category
    if _under(trees, PROCESS_BRANCHES):
        return "mechanism", "process"
    if _under(trees, "D"):
        return "chemical", "chemical"
    if any(t.startswith(PLANT_BRANCH + ".") and t.count(".") + 1 >= PLANT_MIN_DEPTH
           for t in trees):
        return "chemical", "plant"
    if _under(trees, SUPPLEMENT_BRANCHES):
        return "chemical", "supplement"
    if _under(trees, EXERCISE_BRANCHES):
        return "procedure", "procedure"
    procedure = [t for t in trees
                 if _under([t], PROCEDURE_BRANCHES) and "." in t
                 and not _under([t], PROCEDURE_EXCLUDED)]
    if procedure:
        return "procedure", "procedure"
    return None
