"""The service: the façade that the API, the CLI and notebooks call, and the parts that do its work.

Owns the composition of the lower layers into use cases: each side's rows and index kept in step
(:mod:`.sides`, :mod:`.indexes`), profile maintenance and imports (:mod:`.profiles`), match requests in both
directions (:mod:`.matching`), releases to employers, privacy (erasure, subject access, analytics), advisor
feedback, free-text linking and administration; :class:`~.facade.Matcher` wires them and delegates to them.
Building index shards on a Ray cluster (:mod:`.distributed`) lives here too, since it reads the database and
writes indexes. Nothing here reads settings: :mod:`matching.bootstrap` turns configuration into a Matcher.
"""

from matching.ranking.pipeline import MatchPage
from matching.service.facade import Matcher

__all__ = ["MatchPage", "Matcher"]
