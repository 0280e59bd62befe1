"""Labels of ESCO concepts by URI, for pages that show stored profiles and vacancies (which hold only URIs)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Allow, MatcherDep
from api.routes.common import LanguageQuery
from matching.access import Actor
from matching.errors import UnknownConceptError

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
    matcher: MatcherDep,
    actor: Annotated[
        Actor, Allow("advisor", "admin", "jobseeker", "employer", "analyst", purpose="taxonomy lookup")
    ],
    uri: Annotated[
        list[str],
        Query(min_length=1, max_length=200, description="Concept URIs (repeat the parameter)"),
    ],
    lang: LanguageQuery = None,
) -> list[ConceptLabel]:
    language = lang or matcher.language
    out: list[ConceptLabel] = []
    seen: set[str] = set()
    for i, one in enumerate(uri):
        if one in seen:
            continue
        seen.add(one)
        concept = matcher.taxonomy.occupations.get(one) or matcher.taxonomy.skills.get(one)
        if concept is None:
            raise UnknownConceptError(
                f"Unknown concept URI {one!r}: not in the loaded taxonomy.", field=f"uri[{i}]", uri=one
            )
        kind: Literal["occupation", "skill"] = "occupation" if concept.kind == "occupation" else "skill"
        out.append(ConceptLabel(uri=concept.uri, kind=kind, label=concept.label(language)))
    return out
