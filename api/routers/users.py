"""Users and departments."""

from typing import Annotated

from fastapi import APIRouter, Response, status

from api.deps import AnyUserDep, ClockDep, IfMatchDep, PathId, ReadUowDep, UowDep, etag, scopes
from api.problems import problems
from api.schemas import (
    DepartmentCreate,
    DepartmentOut,
    DepartmentPatch,
    UserCreate,
    UserOut,
    UserPatch,
)
from api.security import Passwords
from domain import user_service
from domain.errors import Conflict, FieldsForbidden, Forbidden, Invalid, NotFound, VersionMismatch
from domain.roles import Actor, Scope

router = APIRouter(tags=["users"])

UsersReader = Annotated[Actor, scopes(Scope.USERS_READ)]
UsersAdmin = Annotated[Actor, scopes(Scope.USERS_ADMIN)]


@router.get(
    "/users",
    response_model=list[UserOut],
    operation_id="users:list_users",
    responses=problems(Forbidden),
)
async def list_users(actor: UsersReader, uow: ReadUowDep) -> list[UserOut]:
    """Everyone's name, role and department (for owner and assignee pickers)."""
    return [UserOut.model_validate(u) for u in await uow.users.list_all()]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="users:create_user",
    responses=problems(Forbidden, Invalid, Conflict),
)
async def create_user(body: UserCreate, actor: UsersAdmin, uow: UowDep, clock: ClockDep) -> UserOut:
    """Create a user with a role (admins only). Passwords have at least 10 characters, are not
    only spaces, not the username and not a common password."""
    user = await user_service.create_user(uow, clock, Passwords, actor, body.model_dump())
    return UserOut.model_validate(user)


@router.get(
    "/users/me", response_model=UserOut, operation_id="users:get_me", responses=problems(NotFound)
)
async def get_me(actor: AnyUserDep, uow: ReadUowDep, response: Response) -> UserOut:
    """The signed-in user."""
    user = await user_service.get_user(uow, actor.person_id)
    response.headers["ETag"] = etag(user.version)
    return UserOut.model_validate(user)


@router.patch(
    "/users/me",
    response_model=UserOut,
    operation_id="users:update_me",
    responses=problems(FieldsForbidden, Invalid, VersionMismatch),
)
async def update_me(
    body: UserPatch, actor: AnyUserDep, uow: UowDep, clock: ClockDep, if_match: IfMatchDep
) -> UserOut:
    """Change your display name or password; your role is not yours to change. A new password
    needs `current_password` and ends every session of yours, this one included: sign in
    again with it."""
    user = await user_service.update_user(
        uow,
        clock,
        Passwords,
        actor,
        actor.person_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    return UserOut.model_validate(user)


@router.get(
    "/users/{user_id}",
    response_model=UserOut,
    operation_id="users:get_user",
    responses=problems(NotFound, Forbidden),
)
async def get_user(
    user_id: PathId, actor: UsersReader, uow: ReadUowDep, response: Response
) -> UserOut:
    """One user."""
    user = await user_service.get_user(uow, user_id)
    response.headers["ETag"] = etag(user.version)
    return UserOut.model_validate(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    operation_id="users:update_user",
    responses=problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_user(
    user_id: PathId,
    body: UserPatch,
    actor: UsersAdmin,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> UserOut:
    """Change a user's role, department, name, password or active flag (admins only).
    Deactivating a user or setting a password ends their sessions."""
    user = await user_service.update_user(
        uow,
        clock,
        Passwords,
        actor,
        user_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    return UserOut.model_validate(user)


@router.get(
    "/departments",
    response_model=list[DepartmentOut],
    operation_id="departments:list_departments",
    tags=["departments"],
    responses=problems(Forbidden),
)
async def list_departments(actor: UsersReader, uow: ReadUowDep) -> list[DepartmentOut]:
    """All departments."""
    return [DepartmentOut.model_validate(d) for d in await uow.users.list_departments()]


@router.post(
    "/departments",
    response_model=DepartmentOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="departments:create_department",
    tags=["departments"],
    responses=problems(Forbidden, Conflict),
)
async def create_department(
    body: DepartmentCreate, actor: UsersAdmin, uow: UowDep, clock: ClockDep
) -> DepartmentOut:
    """Create a department (admins only)."""
    department = await user_service.create_department(uow, clock, actor, body.model_dump())
    return DepartmentOut.model_validate(department)


@router.patch(
    "/departments/{department_id}",
    response_model=DepartmentOut,
    operation_id="departments:update_department",
    tags=["departments"],
    responses=problems(NotFound, Forbidden, Conflict, Invalid, VersionMismatch),
)
async def update_department(
    department_id: PathId,
    body: DepartmentPatch,
    actor: UsersAdmin,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> DepartmentOut:
    """Rename a department or set its supervisor (admins only)."""
    department = await user_service.update_department(
        uow, clock, actor, department_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    return DepartmentOut.model_validate(department)
