"""Persistence: the database is the source of truth.

Owns the schema (:mod:`.tables`) and its migrations (:mod:`.migrate`, scripts in ``alembic/``), the engines for
SQLite and PostgreSQL (:mod:`.engine`), the scoped document repositories for job seekers and vacancies
(:mod:`.repository`), the append-only audit log (:mod:`.audit`), hashed API keys (:mod:`.keys`), advisor
feedback (:mod:`.feedback`) and :class:`~.storage.Storage`, which holds them together with shared secrets,
candidate releases and erasure. It stores domain objects; it knows nothing of indexes, rules or the service
that uses it.
"""
