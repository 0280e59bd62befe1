"""One kind of entity as the service holds it: its repository, its vector index and the lock keeping them in step."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import numpy as np

from matching.access import Kind
from matching.index.saved import AnyIndex
from matching.index.vector_index import VectorIndex
from matching.store.repository import Repository, digest_of
from models import JobSeeker, Vacancy

T = TypeVar("T", JobSeeker, Vacancy)


class Side(Generic[T]):
    """Job seekers or vacancies: the rows (database, the source of truth) and their vectors (index).

    Writers take ``write_lock`` so that the database and the index change together; readers search the index
    and read the rows without it. ``position`` is how far along the change log (``identity``) the index is;
    ``own_writes`` holds the digests of rows this process wrote and indexed itself, so that catching up does
    not embed them again.
    """

    def __init__(
        self,
        name: str,
        kind: Kind,
        repo: Repository[T],
        encode: Callable[[Sequence[T]], np.ndarray],
        dim: int,
    ):
        self.name = name  # "jobseekers" | "vacancies": the index file's name
        self.kind: Kind = kind
        self.repo: Repository[T] = repo
        self.encode: Callable[[Sequence[T]], np.ndarray] = encode
        self.index: AnyIndex = VectorIndex(dim)  # or shards built on a cluster (matching.index.shards)
        self.write_lock = threading.Lock()
        self.position = 0
        self.identity: str | None = None
        self.own_writes: dict[str, str] = {}

    def wrote(self, items: Sequence[T]) -> None:
        """This process stored and indexed ``items`` (callers hold the write lock)."""
        for item in items:
            self.own_writes[item.id] = digest_of(item)
