from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from api.deps import Allow, LinkingDep
from api.routes.common import LanguageQuery
from matching.access import Actor
from matching.linking.confidence import CONFIRM_BELOW

router = APIRouter(tags=["taxonomy"])


class LinkedConceptOut(BaseModel):
    uri: str
    label: str
    score: float
    lexical: float = Field(description="Character n-gram similarity with the concept's best label.")
    semantic: float = Field(description="Embedding similarity with the concept's best label or description.")
    confidence: float | None = Field(
        default=None,
        description="Calibrated probability that this link is right: for occupations, the share of the "
        "title's probability this candidate holds (close candidates share it); for skills, of this skill alone.",
    )


class NormalizeRequest(BaseModel):
    title: str | None = Field(default=None, max_length=300, examples=["Pflegefachkraft (m/w/d)"])
    text: str | None = Field(
        default=None,
        max_length=2_000,
        description="Up to 2,000 characters (about 20 sentences): linking costs grow with the text, and one "
        "request stays around a second. Send longer texts in parts.",
        examples=["Erfahrung in der Grundpflege und Medikamentengabe."],
    )
    k: int = Field(default=5, ge=1, le=50, description="Occupation candidates to return.")

    @model_validator(mode="after")
    def _something(self) -> "NormalizeRequest":
        if not (self.title or "").strip() and not (self.text or "").strip():
            raise ValueError("give a title, a text or both")
        return self


class NormalizeResponse(BaseModel):
    occupations: list[LinkedConceptOut] = Field(
        description="Ranked ESCO occupations for the title (or text)."
    )
    skills: list[LinkedConceptOut] = Field(
        description="ESCO skills found in the text, best first, thresholded."
    )
    confirm: bool = Field(
        description="Please confirm: the best occupation holds less than half of the probability (the top "
        "candidates are close, or none fits well); show the alternatives rather than preselecting one."
    )


class Suggestion(BaseModel):
    uri: str
    label: str
    matched_label: str = Field(description="The label (any language) that matched what was typed.")
    score: float


@router.post(
    "/normalize",
    summary="Link a job title and a free text to ESCO occupations and skills",
    description="For ingest: show the links to the user, let them confirm or correct, then store the URIs.",
)
def normalize(
    request: NormalizeRequest,
    linking: LinkingDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="profile maintenance")],
    lang: LanguageQuery = None,
) -> NormalizeResponse:
    occupations, skills = linking.normalize(request.title, request.text, request.k, lang)
    best = occupations[0].confidence if occupations else None
    return NormalizeResponse(
        occupations=[LinkedConceptOut.model_validate(c, from_attributes=True) for c in occupations],
        skills=[LinkedConceptOut.model_validate(c, from_attributes=True) for c in skills],
        confirm=bool(occupations) and (best is None or best < CONFIRM_BELOW),
    )


@router.get("/taxonomy/autocomplete", summary="Type-ahead for occupation and skill pickers")
def autocomplete(
    linking: LinkingDep,
    actor: Annotated[
        Actor, Allow("advisor", "admin", "jobseeker", "employer", "analyst", purpose="taxonomy lookup")
    ],
    q: Annotated[str, Query(min_length=1, max_length=100, description="What the user typed")],
    kind: Annotated[Literal["occupation", "skill"], Query()] = "occupation",
    lang: LanguageQuery = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Suggestion]:
    found = linking.suggest(q, kind, lang, limit)
    return [Suggestion.model_validate(s, from_attributes=True) for s in found]
