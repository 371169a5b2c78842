"""Use cases on ticket attachments: who may attach, record an upload, list and fetch."""

from collections.abc import Sequence

from domain import ticket as rules
from domain.attachment import sanitize_filename
from domain.errors import Forbidden, NotFound
from domain.ports import AttachmentRecord, Clock, TicketRecord, UnitOfWork
from domain.roles import Actor
from domain.ticket_service import get_readable


async def check_upload(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TicketRecord:
    """Whoever may comment on a ticket may attach files to it (readonly never); whoever may
    not see it gets 404."""
    ticket, access = await get_readable(uow, actor, ticket_id)
    if not rules.can_comment(actor, access):
        raise Forbidden("You may read this ticket but not attach files to it.")
    return ticket


async def add(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    storage_key: str,
) -> AttachmentRecord:
    """Record a stored upload (its type already checked) under its sanitised name, with an
    `attachment` entry on the timeline."""
    ticket = await check_upload(uow, actor, ticket_id)
    now = clock.now()
    attachment = await uow.attachments.add(
        ticket_id=ticket.id,
        filename=sanitize_filename(filename),
        content_type=content_type,
        size=size,
        sha256=sha256,
        storage_key=storage_key,
        uploaded_by=actor.user_id,
        created_at=now,
    )
    uow.tickets.add_event(
        ticket.id,
        now,
        actor.user_id,
        "attachment",
        data={
            "attachment_id": attachment.id,
            "filename": attachment.filename,
            "content_type": content_type,
            "size": size,
        },
    )
    await uow.tickets.flush()
    return attachment


async def list_readable(
    uow: UnitOfWork, actor: Actor, ticket_id: int
) -> Sequence[AttachmentRecord]:
    ticket, _ = await get_readable(uow, actor, ticket_id)
    return await uow.attachments.list_for_ticket(ticket.id)


async def get_readable_attachment(
    uow: UnitOfWork, actor: Actor, ticket_id: int, attachment_id: int
) -> AttachmentRecord:
    """An attachment of a ticket the actor may see; otherwise 404."""
    ticket, _ = await get_readable(uow, actor, ticket_id)
    attachment = await uow.attachments.get(ticket.id, attachment_id)
    if attachment is None:
        raise NotFound("attachment", attachment_id)
    return attachment
