"""Request and response bodies that are not domain models themselves."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from models import JobSeeker, Match, Vacancy

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class JobSeekerPage(Page[JobSeeker]):
    pass


class VacancyPage(Page[Vacancy]):
    pass


class MatchList(BaseModel):
    subject_id: str = Field(description="The vacancy (candidates) or job seeker (vacancies) matched.")
    items: list[Match]
    offset: int
    k: int
    considered: int = Field(description="How many candidates were retrieved and scored.")
    has_more: bool


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorDetail] = []
