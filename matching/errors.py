"""Domain exceptions. Each subclasses the built-in it behaves like; the API maps them to HTTP codes."""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of all skillbridge errors."""


class TaxonomyError(MatchingError, ValueError):
    """The taxonomy folder is missing files or has malformed content."""


class UnknownConceptError(MatchingError, KeyError):
    """A concept URI that the loaded taxonomy does not contain."""

    def __init__(self, message: str, *, field: str | None = None, uri: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.uri = uri

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class NotFoundError(MatchingError, LookupError):
    """No job seeker or vacancy with that id."""

    def __init__(self, kind: str, entity_id: str):
        super().__init__(f"No {kind} with id {entity_id!r}.")
        self.kind = kind
        self.entity_id = entity_id


class AlreadyExistsError(MatchingError, ValueError):
    def __init__(self, kind: str, entity_id: str):
        super().__init__(f"A {kind} with id {entity_id!r} already exists; use PUT to replace it.")
        self.kind = kind
        self.entity_id = entity_id


class VectorIndexError(MatchingError, ValueError):
    """Wrong vectors handed to an index (dtype, dimension) or a corrupt index file."""


class IdMismatchError(MatchingError, ValueError):
    """The id in a request body differs from the id in its path."""

    def __init__(self, path_id: str, body_id: str):
        super().__init__(f"The body's id {body_id!r} differs from the id {path_id!r} in the path.")
        self.field = "id"


class InvalidInputError(MatchingError, ValueError):
    """A value the request or command may not carry, named by its field, with what is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
