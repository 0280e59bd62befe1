from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from api.deps import MatcherDep
from api.routes.common import (
    KQuery,
    LanguageQuery,
    LimitQuery,
    MatchOffsetQuery,
    OffsetQuery,
    ensure_same_id,
    match_list,
)
from api.schemas import ErrorBody, MatchList, VacancyPage
from models import Vacancy
from models.common import ID_PATTERN

router = APIRouter(prefix="/vacancies", tags=["vacancies"])
VacancyId = Annotated[str, Path(pattern=ID_PATTERN, description="Vacancy id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No vacancy with this id"}
}


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
def create_vacancy(vacancy: Vacancy, matcher: MatcherDep, response: Response) -> Vacancy:
    created = matcher.create_vacancy(vacancy)
    response.headers["Location"] = f"/api/v1/vacancies/{created.id}"
    return created


@router.get("")
def list_vacancies(matcher: MatcherDep, offset: OffsetQuery = 0, limit: LimitQuery = 50) -> VacancyPage:
    items, total = matcher.list_vacancies(offset, limit)
    return VacancyPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/{vacancy_id}", responses=NOT_FOUND)
def get_vacancy(vacancy_id: VacancyId, matcher: MatcherDep) -> Vacancy:
    return matcher.get_vacancy(vacancy_id)


@router.put("/{vacancy_id}", responses=NOT_FOUND)
def replace_vacancy(vacancy_id: VacancyId, vacancy: Vacancy, matcher: MatcherDep) -> Vacancy:
    ensure_same_id(vacancy_id, vacancy.id)
    return matcher.replace_vacancy(vacancy)


@router.delete("/{vacancy_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_vacancy(vacancy_id: VacancyId, matcher: MatcherDep) -> None:
    matcher.delete_vacancy(vacancy_id)


@router.get("/{vacancy_id}/candidates", responses=NOT_FOUND, summary="Job seekers ranked for a vacancy")
def candidates_for_vacancy(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    k: KQuery = 20,
    offset: MatchOffsetQuery = 0,
    lang: LanguageQuery = None,
) -> MatchList:
    return match_list(matcher.candidates_for_vacancy(vacancy_id, k, offset, lang))
