"""Who a key belongs to: the pages ask this once at sign-in to choose the view for the key's role."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Allow
from matching.access import Actor, Role

router = APIRouter(tags=["API keys"])


class Me(BaseModel):
    key_id: str | None = Field(description="The key's id (not the key itself).")
    role: Role
    organisation: str
    subject_id: str | None = Field(
        description="Job seeker keys: the job seeker's id; employer keys: the employer's id; else null."
    )


@router.get("/me", summary="The role, organisation and subject of the calling key")
def me(
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", "employer", "analyst", purpose="sign-in")],
) -> Me:
    """Reads no personal data beyond the caller's own key, so nothing is written to the audit log."""
    return Me(
        key_id=actor.key_id, role=actor.role, organisation=actor.organisation, subject_id=actor.subject_id
    )
