from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import Allow, MatcherDep
from api.schemas import ErrorBody, KeyCreated, KeyRequest
from matching.access import Actor
from matching.keys import ApiKey

router = APIRouter(prefix="/keys", tags=["API keys"])
KeyId = Annotated[str, Path(pattern=r"^key-[0-9a-f]{12}$", description="Key id (not the key itself)")]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an API key (shown once)")
def create_key(
    request: KeyRequest,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("admin", purpose="key management")],
) -> KeyCreated:
    record, key = matcher.storage.keys.create(
        request.role, request.organisation, request.subject_id, request.label, actor
    )
    return KeyCreated(key=key, record=record)


@router.get("", summary="Every key, revoked ones included (never the keys themselves)")
def list_keys(
    matcher: MatcherDep, actor: Annotated[Actor, Allow("admin", purpose="key management")]
) -> list[ApiKey]:
    return matcher.storage.keys.all()


@router.delete("/{key_id}", responses={404: {"model": ErrorBody}}, summary="Revoke a key")
def revoke_key(
    key_id: KeyId, matcher: MatcherDep, actor: Annotated[Actor, Allow("admin", purpose="key management")]
) -> ApiKey:
    return matcher.storage.keys.revoke(key_id, actor)
