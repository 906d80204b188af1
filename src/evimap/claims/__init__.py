"""Stage 6, extract claims: typed relations with polarity, modality and their evidence.

``extract_claims`` is a pure function of one document's text, segments, sentences, entity
mentions, source profile and metadata; it runs the registered extractors
(``extract``: rules, study frames, the CID classifier, the learned relation model) and
merges their claims. Predicates, designs and modality cues are data (:mod:`evimap.vocab`).
Modules: ``rules`` (the trigger table), ``engine`` (rendering a sentence and applying the
table), ``document`` (paragraphs, sections, coreference), ``frames`` (study frames),
``evidence`` (design, size, outcomes, dose, population from text), ``modality`` (negation,
hedging, hypotheticals), ``cid`` and ``relation`` (learned models) and ``extract`` (the
stage itself and the extractor registry).
"""

from __future__ import annotations

from .extract import (
    EXTRACTOR,
    DocumentView,
    Extractor,
    document_view,
    extract_claims,
    extractors,
    named,
    register,
)

__all__ = ["EXTRACTOR", "DocumentView", "Extractor", "document_view", "extract_claims",
           "extractors", "named", "register"]
