"""Weights of the evidence a linker combines, and how a text's short word spans are scored.

All weights were chosen on validation data only (HOUSE validation for skills, the MELO and check-set dev
sets for titles); benchmarks/linking.py measures them on the test sets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkWeights:
    lexical: float
    preferred: float
    alternative: float
    description: float
    # All of a concept's names together: cosine to the normalised mean of its preferred and alternative label
    # vectors. A title near several of a concept's names is likelier that concept than one near a single name.
    names: float = 0.0

    @property
    def semantic(self) -> float:
        return self.preferred + self.alternative + self.description + self.names


@dataclass(frozen=True, slots=True)
class SpanSettings:
    """Scoring of a text's short word spans: their sizes, the spans' share of the score, their weights."""

    sizes: tuple[int, ...]
    share: float
    weights: LinkWeights
    coverage: float = 0.0  # a span's lexical evidence: max(exact label, coverage × the label's word coverage)
    # At most this many spans of one text are embedded (embedding them is most of the time for a long text):
    # those with the strongest lexical evidence, shorter first; the others count with lexical evidence only.
    embedded: int | None = None


LEXICAL_FLOOR = 0.85
# names 1.0: MELO usa dev MRR 0.646 → 0.660 (0.5: 0.655; 1.5–3.0: 0.659–0.660).
OCCUPATION_WEIGHTS = LinkWeights(lexical=1.0, preferred=0.5, alternative=0.5, description=0.0, names=1.0)
# For a multilingual model, n-grams against the labels mostly add noise; on the non-English titles of the MELO
# and check-set dev sets these weights gave MRR pol 0.323, cze 0.234, bgr 0.163, check 0.992 (above: 0.267, 0.210,
# 0.145, 0.963). The names channel at 1.5 gave pol 0.356 → 0.375, cze 0.239 → 0.256, bgr 0.162 → 0.165 (0.5: 0.365,
# 0.247, 0.165; 1.0: 0.371, 0.251, 0.165; 2.0: 0.376, 0.259, 0.164).
MULTILINGUAL_OCCUPATION_WEIGHTS = LinkWeights(
    lexical=0.25, preferred=0.5, alternative=1.0, description=0.0, names=1.5
)
# Channels of the multilingual title linker that read a title through the query map (linking/alignment.py).
# Names only. With a map fitted on German labels alone, on the MELO dev sets MRR pol 0.373 → 0.385, cze
# 0.256 → 0.294, bgr 0.165 → 0.167, and the check set's dev titles without vocabulary de 0.693 → 0.718, uk
# 0.410 → 0.469, ru 0.474 → 0.484. Every channel mapped (cze 0.306) cost German titles their German labels
# (check dev de with vocabulary 0.947 → 0.902).
MAPPED_TITLE_CHANNELS = frozenset({"names"})
# English titles: this share of the English model's scores, the rest the multilingual model's with every
# channel mapped (linking/blend.py). MELO usa dev / JobBERT validation MRR with the service's map: 0.2 gives
# 0.685 / 0.316, 0.3 0.688 / 0.318 (MiniLM alone 0.660 / 0.296); with a German-only map 0.5: 0.684 / 0.309,
# 0.7: 0.676 / 0.304.
ENGLISH_TITLE_SHARE = 0.3
# Skills: alternative labels count lexically only. Their embeddings (~85,000 vectors) made up most of the
# time per sentence and scored slightly worse on HOUSE validation (MRR 0.640 vs 0.652 without them).
SKILL_WEIGHTS = LinkWeights(lexical=1.0, preferred=1.0, alternative=0.0, description=0.25)
# A two-word span has no description to compare with; matching it against descriptions only adds noise.
SKILL_SPANS = SpanSettings(
    sizes=(1, 2, 3, 4),
    share=0.4,
    weights=LinkWeights(lexical=1.0, preferred=1.0, alternative=0.0, description=0.0),
    coverage=0.8,
    # A 60-word job ad "sentence" has ~150 spans, 0.4–1 s to embed on two cores. On HOUSE validation 32 spans
    # scored as well as all of them (MRR 0.684 vs 0.683, RP@5 68.8 % vs 68.4 %; 48 and 64: 0.685 / 68.4 %).
    embedded=32,
)
# The extracted skill set keeps scores from here up: the best F1 on HOUSE validation (P 0.30, R 0.44, F1 0.36;
# at 0.55 P 0.45, R 0.24). On the German, Ukrainian and Russian sentences of data/linking_eval (dev) it gives
# F1 0.61, 0.64 and 0.92. Extracted skills are suggestions the user confirms, so recall matters as much.
SKILL_THRESHOLD = 0.48
