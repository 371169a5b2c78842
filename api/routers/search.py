"""GET /search: one box over customers, contacts, tickets, follow-ups and opportunities."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, BaseModel, Field

from api.deps import ReaderDep, ReadUowDep
from api.problems import problems
from api.query import query_model, query_parameters
from api.schemas import refuse_nul
from domain.errors import Forbidden
from domain.search import service as search_service

router = APIRouter(prefix="/search", tags=["search"])

SearchType = Literal["customers", "contacts", "tickets", "follow_ups", "opportunities"]


class SearchQueryParams(BaseModel):
    q: Annotated[str, AfterValidator(refuse_nul)] = Field(
        max_length=100, description="What to look for; see the README for what matches what."
    )
    types: str = Field(
        ",".join(search_service.TYPES),
        description="Comma-separated groups to search, in the order wanted: "
        + ", ".join(search_service.TYPES)
        + ".",
        pattern=r"^(customers|contacts|tickets|follow_ups|opportunities)"
        r"(,(customers|contacts|tickets|follow_ups|opportunities))*$",
    )
    limit: int = Field(8, ge=1, le=50, description="Hits per group, at most 50.")


class SearchHitOut(BaseModel):
    type: SearchType
    id: int
    customer_id: int | None
    title: str = Field(description="The customer's or contact's name, the ticket's title…")
    subtitle: str | None = Field(description="The customer's code, the contact's customer…")
    field: str = Field(
        description="The field that matched (`name`, `contact_name`, "
        "`phone`, `email`, `code`, `title`…)."
    )
    value: str = Field(description="The matched value as indexed (normalised).")
    highlight: tuple[int, int] | None = Field(
        description="[start, end) of the match in `value`, in characters."
    )


class SearchGroupOut(BaseModel):
    type: SearchType
    items: list[SearchHitOut]
    more: bool = Field(description="More hits than `limit`: open the full list with `q=`.")


class SearchOut(BaseModel):
    q: str
    groups: list[SearchGroupOut]


@router.get(
    "",
    response_model=SearchOut,
    operation_id="search:search",
    responses=problems(Forbidden),
    openapi_extra={"parameters": query_parameters(SearchQueryParams)},
)
async def search(
    actor: ReaderDep,
    uow: ReadUowDep,
    params: Annotated[SearchQueryParams, Depends(query_model(SearchQueryParams))],
) -> SearchOut:
    """Search everything you may see. Customers rank: a whole code, credit code, ID number,
    phone or e-mail first; then name prefix; name substring; contacts (name, phone fragment
    of 4+ digits, e-mail, WeChat); pinyin (full or initials); address and parts of codes;
    ties by last contact, newest first. Archived customers are not searched. Fields your role
    does not see (ID numbers; masked phones) neither match nor show."""
    types = list(dict.fromkeys(params.types.split(",")))
    groups = await search_service.search(uow, actor, params.q, types=types, limit=params.limit)
    return SearchOut(
        q=params.q,
        groups=[
            SearchGroupOut(
                type=g.type,
                more=g.more,
                items=[
                    SearchHitOut(
                        type=h.type,
                        id=h.id,
                        customer_id=h.customer_id,
                        title=h.title,
                        subtitle=h.subtitle,
                        field=h.field,
                        value=h.value,
                        highlight=h.highlight,
                    )
                    for h in g.items
                ],
            )
            for g in groups
        ],
    )
