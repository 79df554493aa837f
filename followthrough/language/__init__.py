"""Shared language knowledge, below the features and free of spaCy: the topic taxonomy
(``taxonomy``, ``topics``), stop words, regex helpers (``patterns``, ``prefixes``),
council names and the text encoder."""
