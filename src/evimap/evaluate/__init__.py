"""Quality measured, not asserted: evaluation of the stages on gold standards.

``evimap eval ner GOLD.PubTator`` scores entity recognition (strict spans, document-level
IDs) through the same code path ``evimap ingest`` uses. Floors that CI enforces on the
Development sets live in ``eval/floors.json`` at the repository root.
"""
