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
    items: list[Match] = Field(description="Eligible and bridge matches, best first.")
    offset: int
    k: int
    considered: int = Field(description="How many pairs were retrieved and assessed.")
    eligible_total: int = Field(description="Eligible and bridge matches among them (for paging).")
    has_more: bool
    blocked: list[Match] = Field(
        description="Best pairs that a hard rule blocks (recognition, work authorisation), with what is "
        "missing and the next steps; on the first page only."
    )
    blocked_total: int


class WhatIfRequest(BaseModel):
    jobseeker: JobSeeker
    vacancy: Vacancy


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorDetail] = []
