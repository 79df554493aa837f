"""Shared language knowledge: the text encoder (and, in time, tokeniser, stemmer, stop words)."""
