from typing import Annotated

from fastapi import Path

from api.deps import Allow, MatcherDep
from api.routes.entities import JOBSEEKERS, Roles, Text, entity_router
from api.schemas import ErrorBody, SubjectAccessExport
from matching.access import Actor
from models.common import ID_PATTERN

ADVISORS = ("advisor", "admin")
PERSON = ("advisor", "admin", "jobseeker")  # the person's own key too

router = entity_router(
    JOBSEEKERS,
    Roles(create=ADVISORS, list=ADVISORS, read=PERSON, replace=PERSON, delete=PERSON, matches=PERSON, export=ADVISORS),
    purpose="profile maintenance",
    purposes={"delete": "erasure", "matches": "matching", "export": "matching list export"},
    texts={
        "create": Text("Store a job seeker", "Store a profile in the key's organisation."),
        "delete": Text("Erase a job seeker (GDPR art. 17)", "Removes the profile, its vector from the index (and the "
                       "saved index file), the cached embeddings of its free text and its releases; the person's id "
                       "in the audit log is replaced by a keyed hash and keys issued to them are revoked."),
        "matches": Text("Vacancies ranked for a job seeker"),
        "export": Text("A job seeker's ranked vacancies as a CSV or Excel file"),
    },
)  # fmt: skip
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]


@router.get(
    "/{seeker_id}/export",
    responses={404: {"model": ErrorBody, "description": "No job seeker with this id that this key may see"}},
    summary="Everything stored about a job seeker, machine-readable (GDPR art. 15 and 20)",
)
def export_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow(*PERSON, purpose="subject access request")],
) -> SubjectAccessExport:
    return SubjectAccessExport.model_validate(matcher.export_jobseeker(seeker_id, actor))
