"""The ESCO taxonomy: what occupations and skills exist, and how they relate.

Owns the in-memory model (:class:`Taxonomy`, :class:`Concept`, the ISCO tree), the loader for folders in the
official ESCO CSV download layout (:mod:`.esco`), the vocabulary of extra names merged in by concept URI
(:mod:`.vocabulary`) and the concept sets of a profile or vacancy (:mod:`.profiles`). It is the lowest layer
above the domain models: it knows nothing of embeddings, indexes, rules or storage.
"""

from matching.taxonomy.model import Concept, IscoGroup, Taxonomy

__all__ = ["Concept", "IscoGroup", "Taxonomy"]
