"""Vector indexes: FAISS wrapped once, with stable string ids, filters, shards and crash-safe files.

Owns :class:`~.vector_index.VectorIndex` (exact or IVF-SQ8 layout by size, add/update/remove, ID-selector
filters, atomic save/load), the input checks FAISS does not make (:mod:`.checks`), shard sets searched as one
(:mod:`.shards`, their files and manifest in :mod:`.manifest`) and loading whichever form a side was saved in
(:mod:`.saved`). It knows vectors and ids only: no taxonomy, no profiles, no database.
"""
