"""followthrough: did the council do what it said it would?

Ingest inspection reports, council minutes and action plans into SQLite, extract
recommendations, concerns, commitments and decisions, link findings to action-plan rows
and flag the gaps.
"""

__version__ = "0.1.0"
