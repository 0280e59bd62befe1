"""Request and response bodies that are not domain models themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from matching.access import ORGANISATION_PATTERN, Role
from matching.store.audit import AuditEvent
from matching.store.keys import ApiKey
from models import CEFRLevel, JobSeeker, Match, RecognitionStatus, Vacancy, WorkingTime
from models.common import EntityId
from models.feedback import Feedback

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


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobseeker_id: EntityId


class ReleaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    vacancy_id: str
    jobseeker_id: str
    released_by: str | None = Field(description="The key that released the candidate.")
    released_at: dt.datetime


class SubjectAccessExport(BaseModel):
    """Everything stored about one job seeker (see matching/service/gdpr.py)."""

    format: str
    generated_at: dt.datetime
    jobseeker_id: str
    profile: JobSeeker
    record: dict[str, Any] = Field(description="Organisation, version and timestamps of the stored row.")
    releases: list[dict[str, Any]] = Field(description="Vacancies whose employer may see the person's id.")
    api_keys: list[ApiKey] = Field(description="Keys issued to the person.")
    feedback: list[Feedback] = Field(description="Advisors' decisions on the person as a candidate.")
    access: list[dict[str, Any]] = Field(
        description="Other organisations the case was shared with: purpose, until when, revoked when."
    )
    audit_events: list[AuditEvent] = Field(
        description="Every recorded read and change of their data, and every action taken with their keys."
    )
    derived_data: str


class ImportProblem(BaseModel):
    row: int | None = Field(
        description="Row as the spreadsheet numbers it (header = 1); null: the whole file."
    )
    field: str
    problem: str
    allowed: str | None


class ImportResult(BaseModel):
    kind: str
    rows: int = Field(description="Data rows read (blank rows are not counted).")
    imported: int
    invalid_rows: int
    summary: str
    errors: list[ImportProblem]


class AuditPage(Page[AuditEvent]):
    pass


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    organisation: str = Field(pattern=ORGANISATION_PATTERN, examples=["leipzig"])
    subject_id: EntityId | None = Field(
        default=None, description="jobseeker keys: the job seeker id; employer keys: the employer id."
    )
    label: str | None = Field(default=None, max_length=200, description="What the key is for (no names).")


class KeyCreated(BaseModel):
    key: str = Field(description="The API key. It is shown only now: store it safely.")
    record: ApiKey


class FiltersIn(BaseModel):
    """Hard filters of a match list (the query parameters of …/candidates and …/vacancies, as JSON)."""

    model_config = ConfigDict(extra="forbid")

    min_german: CEFRLevel | None = None
    eligibility: list[Literal["eligible", "bridge"]] = Field(default_factory=list, max_length=2)
    skills: list[str] = Field(default_factory=list, max_length=50)
    places: list[str] = Field(default_factory=list, max_length=50)
    max_distance_km: float | None = Field(default=None, gt=0, le=1000)
    working_time: list[WorkingTime] = Field(default_factory=list, max_length=3)
    available_by: dt.date | None = None
    recognition: list[RecognitionStatus] = Field(default_factory=list, max_length=12)


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["candidates", "vacancies"] = Field(
        description="'candidates' of a vacancy, or 'vacancies' of a job seeker"
    )
    subject_id: EntityId = Field(description="The vacancy or job seeker whose list is saved")
    k: int = Field(default=20, ge=1, le=100, description="Alert when a profile enters this top k")
    filters: FiltersIn = Field(default_factory=FiltersIn)
    webhook: str | None = Field(
        default=None,
        max_length=500,
        description="Also POST each alert (ids, rank, eligibility, score; signed) to this address; it must "
        "start with a prefix the administrator allows (SKILLBRIDGE_WEBHOOK_ALLOWED).",
    )


class SavedSearchOut(BaseModel):
    id: str
    kind: str
    subject_id: str
    k: int
    filters: dict[str, Any]
    in_top: int = Field(description="How many profiles are in its top k now")
    created_at: dt.datetime
    webhook: str | None = None


class AlertOut(BaseModel):
    id: int
    search_id: str
    entity_id: str = Field(description="The job seeker (or vacancy) that entered the top k")
    match: Match = Field(description="The match and its explanation when it entered")
    created_at: dt.datetime
    read: bool


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    unread: int
    offset: int
    limit: int


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(description="The organisation to share with (as its keys name it)")
    purpose: str = Field(min_length=1, max_length=200, description="Why, shown to the person and audited")
    until: dt.date = Field(description="The last day of the share (at most two years ahead)")


class HandoverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(description="The organisation that takes over the case")
    purpose: str = Field(min_length=1, max_length=200, description="Why, e.g. 'Rechtskreiswechsel SGB II'")


class ShareOut(BaseModel):
    id: str
    organisation: str = Field(description="Who may read and match the person")
    shared_by: str
    purpose: str
    until: dt.date
    active: bool
    shared_at: dt.datetime
    revoked_at: dt.datetime | None
