"""Text to vectors: the embedders and the composition of profile vectors.

Owns the :class:`~matching.embedding.base.Embedder` protocol (texts in, unit-length float32 rows out), its
implementations (any sentence-transformers model in :mod:`.sbert`, the deterministic test fake in
:mod:`.hashing`), the content-hash cache in front of them (:mod:`.cache`), the factory that turns a configured
model name into an embedder (:mod:`.factory`) and the encoder that composes a job seeker's or vacancy's
vector from concept and free-text vectors (:mod:`.profiles`). It reads the taxonomy; nothing above it is
imported. A new embedder implements the protocol in its own module and is named in :func:`.factory.make_embedder`.
"""
