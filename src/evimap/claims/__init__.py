"""Stage 6, extract claims: typed relations with polarity, modality and their evidence.

``extract_claims`` is a pure function of one document's text, segments, sentences, entity
mentions, source profile and metadata. Modules: ``rules`` (the trigger table), ``engine``
(rendering a sentence and applying the table), ``document`` (paragraphs, sections,
coreference), ``frames`` (study frames), ``evidence`` (design, size, outcomes, dose,
population from text), ``modality`` (negation, hedging, hypotheticals) and ``extract`` (the
stage itself).
"""

from __future__ import annotations

from .extract import EXTRACTOR, extract_claims

__all__ = ["EXTRACTOR", "extract_claims"]
