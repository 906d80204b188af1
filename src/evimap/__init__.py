"""evimap: evidence maps from messy health literature."""

__version__ = "0.1.0"
