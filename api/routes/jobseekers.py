from typing import Annotated

from fastapi import Path

from api.deps import Allow, MatcherDep
from api.routes.entities import EntityRoutes, FacadeCalls, Operation, entity_router
from api.schemas import ErrorBody, JobSeekerPage, SubjectAccessExport
from matching.access import Actor
from matching.service import Matcher
from models import JobSeeker
from models.common import ID_PATTERN

ADVISORS = ("advisor", "admin")
WITH_THE_PERSON = ("advisor", "admin", "jobseeker")
PROFILE = "profile maintenance"

router = entity_router(
    EntityRoutes(
        path="/jobseekers",
        tag="job seekers",
        noun="job seeker",
        id_name="seeker_id",
        id_description="Pseudonymous job seeker id",
        model=JobSeeker,
        page=JobSeekerPage,
        create=Operation("create_jobseeker", ADVISORS, PROFILE, "Store a job seeker",
                         "Store a profile in the key's organisation."),
        list=Operation("list_jobseekers", ADVISORS, PROFILE, "List job seekers"),
        read=Operation("get_jobseeker", WITH_THE_PERSON, PROFILE, "Get a job seeker"),
        replace=Operation("replace_jobseeker", WITH_THE_PERSON, PROFILE, "Replace a job seeker"),
        delete=Operation(
            "delete_jobseeker", WITH_THE_PERSON, "erasure", "Erase a job seeker (GDPR art. 17)",
            "Removes the profile, its vector from the index (and the saved index file), the cached embeddings "
            "of its free text and its releases; the person's id in the audit log is replaced by a keyed hash "
            "and keys issued to them are revoked.",
        ),
        matches=Operation("vacancies_for_jobseeker", WITH_THE_PERSON, "matching", "Vacancies ranked for a job seeker"),
        matches_path="/vacancies",
        export=Operation("export_vacancies_for_jobseeker", ADVISORS, "matching list export",
                         "A job seeker's ranked vacancies as a CSV or Excel file"),
        export_side="vacancies",
        call=FacadeCalls(
            create=Matcher.create_jobseeker,
            list=Matcher.list_jobseekers,
            read=Matcher.get_jobseeker,
            replace=Matcher.replace_jobseeker,
            delete=Matcher.delete_jobseeker,
            matches=Matcher.vacancies_for_jobseeker,
        ),
    )
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
    actor: Annotated[Actor, Allow(*WITH_THE_PERSON, purpose="subject access request")],
) -> SubjectAccessExport:
    return SubjectAccessExport.model_validate(matcher.export_jobseeker(seeker_id, actor))
