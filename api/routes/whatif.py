from typing import Annotated

from fastapi import APIRouter

from api.deps import Allow, MatcherDep
from api.routes.common import LanguageQuery
from api.schemas import WhatIfRequest
from matching.access import Actor
from models import Match

router = APIRouter(tags=["what-if"])


@router.post(
    "/what-if",
    summary="Assess one job seeker against one vacancy, both given as data; nothing is stored",
    description="Returns eligibility (eligible, bridge or blocked with reasons), the score and its explanation. "
    "Change a field, e.g. a qualification's recognition status, to see what would change.",
)
def what_if(
    request: WhatIfRequest,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="counselling")],
    lang: LanguageQuery = None,
) -> Match:
    return matcher.what_if(request.jobseeker, request.vacancy, lang)
