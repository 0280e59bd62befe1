"""Validated documents by id, as read with their digest and organisation: read again and again by matching."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from models import JobSeeker, Vacancy

M = TypeVar("M", JobSeeker, Vacancy)


@dataclass(frozen=True, slots=True)
class Cached(Generic[M]):
    digest: str
    organisation: str
    item: M


class DocumentCache(Generic[M]):
    """Validated documents by id with the digest and organisation they were read with; least recently used out.

    ``epoch`` counts forgets: a reader that began before a forget must not put what it read (it may be the
    version the forget was about), so :meth:`put` takes the epoch the read began at.
    """

    def __init__(self, size: int = 50_000):
        self._items: OrderedDict[str, Cached[M]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.epoch = 0

    def get(self, entity_id: str) -> Cached[M] | None:
        with self._lock:
            found = self._items.get(entity_id)
            if found is not None:
                self._items.move_to_end(entity_id)
            return found

    def put(self, entity_id: str, entry: Cached[M], epoch: int) -> M:
        with self._lock:
            if epoch == self.epoch:
                self._items[entity_id] = entry
                self._items.move_to_end(entity_id)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return entry.item

    def forget(self, entity_ids: Sequence[str]) -> None:
        with self._lock:
            self.epoch += 1
            for entity_id in entity_ids:
                self._items.pop(entity_id, None)

    def clear(self) -> None:
        with self._lock:
            self.epoch += 1
            self._items.clear()
