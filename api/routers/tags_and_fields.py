"""Tags and custom field definitions."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api import views
from api.deps import (
    AdminSettingsDep,
    ClockDep,
    IfMatchDep,
    PathId,
    ReaderDep,
    ReadUowDep,
    UowDep,
    etag,
    scopes,
)
from api.problems import problems
from api.schemas import (
    CustomFieldCreate,
    CustomFieldOut,
    CustomFieldPatch,
    TagCreate,
    TagMergeIn,
    TagOut,
    TagPatch,
)
from domain import tags_and_fields_service
from domain.errors import Conflict, Forbidden, Invalid, NotFound, VersionMismatch
from domain.roles import Actor, Scope

router = APIRouter()
TagAdmin = Annotated[Actor, scopes(Scope.TAGS_WRITE)]


@router.get(
    "/tags",
    response_model=list[TagOut],
    operation_id="tags:list_tags",
    tags=["tags"],
    responses=problems(Forbidden),
)
async def list_tags(
    actor: ReaderDep,
    uow: ReadUowDep,
    unused: Annotated[bool, Query(description="Only tags no customer has, for clean-up.")] = False,
) -> list[TagOut]:
    """All tags with how many customers carry each, by name."""
    return [views.tag_out(tag, n) for tag, n in await uow.tags.list_with_counts(unused_only=unused)]


@router.post(
    "/tags",
    response_model=TagOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="tags:create_tag",
    tags=["tags"],
    responses=problems(Forbidden, Invalid, Conflict),
)
async def create_tag(body: TagCreate, actor: TagAdmin, uow: UowDep, clock: ClockDep) -> TagOut:
    """Create a tag named `类别-值` (admins only)."""
    tag = await tags_and_fields_service.create_tag(
        uow, clock, actor, body.model_dump(exclude_unset=True)
    )
    return views.tag_out(tag, 0)


@router.get(
    "/tags/{tag_id}",
    response_model=TagOut,
    operation_id="tags:get_tag",
    tags=["tags"],
    responses=problems(NotFound, Forbidden),
)
async def get_tag(tag_id: PathId, actor: ReaderDep, uow: ReadUowDep, response: Response) -> TagOut:
    """One tag."""
    tag = await tags_and_fields_service.get_tag(uow, tag_id)
    response.headers["ETag"] = etag(tag.version)
    return views.tag_out(tag, len(await uow.tags.customer_ids_with(tag.id)))


@router.patch(
    "/tags/{tag_id}",
    response_model=TagOut,
    operation_id="tags:update_tag",
    tags=["tags"],
    responses=problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_tag(
    tag_id: PathId,
    body: TagPatch,
    actor: TagAdmin,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> TagOut:
    """Rename or recolour a tag; every customer keeps it."""
    tag = await tags_and_fields_service.update_tag(
        uow, clock, actor, tag_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    return views.tag_out(tag, len(await uow.tags.customer_ids_with(tag.id)))


@router.post(
    "/tags/{tag_id}/merge",
    response_model=TagOut,
    operation_id="tags:merge_tag",
    tags=["tags"],
    responses=problems(NotFound, Forbidden, Invalid),
)
async def merge_tag(
    tag_id: PathId, body: TagMergeIn, actor: TagAdmin, uow: UowDep, clock: ClockDep
) -> TagOut:
    """Merge this tag into `into_tag_id`: its customers get the surviving tag (once) and
    this tag is deleted. Answers the surviving tag."""
    target = await tags_and_fields_service.merge_tags(uow, clock, actor, tag_id, body.into_tag_id)
    return views.tag_out(target, len(await uow.tags.customer_ids_with(target.id)))


@router.delete(
    "/tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="tags:delete_tag",
    tags=["tags"],
    responses=problems(NotFound, Forbidden, Conflict, VersionMismatch),
)
async def delete_tag(
    tag_id: PathId, actor: TagAdmin, uow: UowDep, clock: ClockDep, if_match: IfMatchDep
) -> None:
    """Delete an unused tag (409 while customers carry it: merge instead)."""
    await tags_and_fields_service.delete_tag(uow, clock, actor, tag_id, if_match=if_match)


@router.get(
    "/custom-fields",
    response_model=list[CustomFieldOut],
    operation_id="custom_fields:list_custom_fields",
    tags=["custom_fields"],
    responses=problems(Forbidden),
)
async def list_custom_fields(actor: ReaderDep, uow: ReadUowDep) -> list[CustomFieldOut]:
    """The admin-defined customer fields, to render forms."""
    return [CustomFieldOut.model_validate(row) for row in await uow.custom_fields.list_all()]


@router.post(
    "/custom-fields",
    response_model=CustomFieldOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="custom_fields:create_custom_field",
    tags=["custom_fields"],
    responses=problems(Forbidden, Invalid, Conflict),
)
async def create_custom_field(
    body: CustomFieldCreate, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep
) -> CustomFieldOut:
    """Define a typed customer field: text, number, date, enum (with options) or bool."""
    row = await tags_and_fields_service.create_field(uow, clock, actor, body.model_dump())
    return CustomFieldOut.model_validate(row)


@router.patch(
    "/custom-fields/{field_id}",
    response_model=CustomFieldOut,
    operation_id="custom_fields:update_custom_field",
    tags=["custom_fields"],
    responses=problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_custom_field(
    field_id: PathId,
    body: CustomFieldPatch,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> CustomFieldOut:
    """Change labels, options, required or sensitive. Key and type never change; an enum
    option customers still hold cannot be removed (409)."""
    row = await tags_and_fields_service.update_field(
        uow, clock, actor, field_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    return CustomFieldOut.model_validate(row)


@router.delete(
    "/custom-fields/{field_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="custom_fields:delete_custom_field",
    tags=["custom_fields"],
    responses=problems(NotFound, Forbidden, Conflict, VersionMismatch),
)
async def delete_custom_field(
    field_id: PathId, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep, if_match: IfMatchDep
) -> None:
    """Delete a field no customer holds a value for (409 otherwise)."""
    await tags_and_fields_service.delete_field(uow, clock, actor, field_id, if_match=if_match)
