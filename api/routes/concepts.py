"""Labels of ESCO concepts by URI, for pages that show stored profiles and vacancies (which hold only URIs)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Allow, LinkingDep
from api.routes.common import LanguageQuery
from matching.access import Actor

router = APIRouter(tags=["taxonomy"])


class ConceptLabel(BaseModel):
    uri: str
    kind: Literal["occupation", "skill"]
    label: str


@router.get(
    "/taxonomy/concepts",
    summary="Preferred labels of occupations and skills, by URI",
    description="Unknown URIs are a 422 naming the URI. Taxonomy data only: nothing personal is read.",
)
def concept_labels(
    linking: LinkingDep,
    actor: Annotated[
        Actor, Allow("advisor", "admin", "jobseeker", "employer", "analyst", purpose="taxonomy lookup")
    ],
    uri: Annotated[
        list[str],
        Query(min_length=1, max_length=200, description="Concept URIs (repeat the parameter)"),
    ],
    lang: LanguageQuery = None,
) -> list[ConceptLabel]:
    return [ConceptLabel.model_validate(c, from_attributes=True) for c in linking.labels(uri, lang)]
