"""annotator: span annotation of Arabic news articles with exact offsets."""

__version__ = "0.1.0"
