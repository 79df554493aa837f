"""Temporary: the pipeline is being written."""
from __future__ import annotations
import spacy

def build(model=None):
    return spacy.load(model) if model else spacy.blank("en")

def run(doc, nlp, meeting_date):
    return []
