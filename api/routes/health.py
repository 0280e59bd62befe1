from fastapi import APIRouter

from api.deps import MatcherDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and readiness: database reachable, indexes loaded")
def health(matcher: MatcherDep) -> dict:
    return matcher.health()
