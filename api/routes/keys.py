from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import AdminDep, Allow
from api.schemas import ErrorBody, KeyCreated, KeyRequest
from matching.access import Actor
from matching.store.keys import ApiKey

router = APIRouter(prefix="/keys", tags=["API keys"])
KeyId = Annotated[str, Path(pattern=r"^key-[0-9a-f]{12}$", description="Key id (not the key itself)")]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an API key (shown once)")
def create_key(
    request: KeyRequest,
    admin: AdminDep,
    actor: Annotated[Actor, Allow("admin", purpose="key management")],
) -> KeyCreated:
    record, key = admin.keys.create(
        request.role, request.organisation, request.subject_id, request.label, actor
    )
    return KeyCreated(key=key, record=record)


@router.get("", summary="Every key, revoked ones included (never the keys themselves)")
def list_keys(
    admin: AdminDep, actor: Annotated[Actor, Allow("admin", purpose="key management")]
) -> list[ApiKey]:
    return admin.keys.all()


@router.delete("/{key_id}", responses={404: {"model": ErrorBody}}, summary="Revoke a key")
def revoke_key(
    key_id: KeyId, admin: AdminDep, actor: Annotated[Actor, Allow("admin", purpose="key management")]
) -> ApiKey:
    return admin.keys.revoke(key_id, actor)
