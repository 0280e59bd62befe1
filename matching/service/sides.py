"""One kind of entity as the service holds it: its repository, its vector index and the lock keeping them in step."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import numpy as np

from matching.access import Kind
from matching.index.saved import AnyIndex
from matching.index.vector_index import VectorIndex
from matching.store.repository import Repository
from models import JobSeeker, Vacancy

T = TypeVar("T", JobSeeker, Vacancy)


class Side(Generic[T]):
    """Job seekers or vacancies: the rows (database, the source of truth) and their vectors (index).

    Writers take ``write_lock`` so that the database and the index change together; readers search the index
    and read the rows without it.
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

    def changed(self) -> None:
        """The in-memory index no longer matches its saved fingerprint (saved again on close)."""
        self.index.fingerprint = ""
