"""What linking returns: a concept for a text, with its evidence and how sure the link is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkedConcept:
    uri: str
    label: str
    score: float
    lexical: float
    semantic: float
    confidence: float | None = None  # calibrated probability that this is right (linking/confidence.py)
