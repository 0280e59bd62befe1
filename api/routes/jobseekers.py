import datetime as dt
from typing import Annotated, Any

from fastapi import Path, Response, status

from api.deps import Allow, MatcherDep
from api.routes.entities import JOBSEEKERS, Roles, Text, entity_router
from api.schemas import ErrorBody, HandoverRequest, ShareOut, ShareRequest, SubjectAccessExport
from matching.access import Actor
from matching.store.shares import Share
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


def _share_out(share: Share) -> ShareOut:
    return ShareOut(
        id=share.id, organisation=share.to_organisation, shared_by=share.from_organisation, purpose=share.purpose,
        until=share.until, active=share.active(dt.datetime.now(dt.UTC).date()), shared_at=share.created_at,
        revoked_at=share.revoked_at,
    )  # fmt: skip


SHARING_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No job seeker of this key's organisation with this id"}
}


@router.post(
    "/{seeker_id}/shares",
    status_code=status.HTTP_201_CREATED,
    responses=SHARING_NOT_FOUND,
    summary="Share a job seeker with another organisation, for a purpose and until a date",
    description="While the share lasts, the other organisation's advisors may read the profile and match it "
    "against their vacancies (never change or erase it). The person sees the share on their page and in their "
    "export; sharing, revoking and every use are in the audit log.",
)
def share_jobseeker(
    seeker_id: SeekerId,
    request: ShareRequest,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="case sharing")],
) -> ShareOut:
    share = matcher.sharing.share(seeker_id, request.organisation, request.purpose, request.until, actor)
    return _share_out(share)


@router.get(
    "/{seeker_id}/shares", responses=SHARING_NOT_FOUND, summary="Who else has access to a job seeker, and why"
)
def list_shares(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow(*PERSON, purpose="case sharing")],
) -> list[ShareOut]:
    return [_share_out(s) for s in matcher.sharing.of_jobseeker(seeker_id, actor)]


@router.delete(
    "/{seeker_id}/shares/{share_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=SHARING_NOT_FOUND,
    summary="End a share now",
)
def revoke_share(
    seeker_id: SeekerId,
    share_id: Annotated[str, Path(pattern=r"^sh-[0-9a-f]{16}$")],
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="case sharing")],
) -> Response:
    matcher.sharing.revoke(seeker_id, share_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{seeker_id}/handover",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=SHARING_NOT_FOUND,
    summary="Hand a job seeker's case over to another organisation",
    description="The profile and the person's own keys move to the other organisation, which now owns the case "
    "(e.g. after a change of legal regime, 'Rechtskreiswechsel'); this organisation no longer sees it unless "
    "the new owner shares it back.",
)
def hand_over(
    seeker_id: SeekerId,
    request: HandoverRequest,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="case hand-over")],
) -> Response:
    matcher.sharing.hand_over(seeker_id, request.organisation, request.purpose, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
