"""The yardstick: a bare FastAPI + SQLAlchemy app that answers the customer list's first page
with one keyset query and nothing else (no auth, no masking, no tags or contacts).

`python -m bench.run customers --baseline` measures it beside the real app in the same run,
so the report can say what share of a bare app's throughput the product keeps.
"""

import os
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from persistence.db import async_url
from persistence.models import Customer

PATH = "/bare/customers"


class BareCustomer(BaseModel):
    id: int
    code: str
    name: str
    stage: str
    owner_id: int | None
    created_at: datetime


def create_app() -> FastAPI:
    engine = create_async_engine(async_url(os.environ["CRM_DATABASE_URL"]), pool_size=20)
    sessions = async_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/api/v1/health")
    async def health() -> dict[str, str]:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get(PATH, response_model=list[BareCustomer])
    async def customers(limit: int = 50) -> list[BareCustomer]:
        async with sessions() as session:
            rows = (
                await session.execute(
                    select(
                        Customer.id,
                        Customer.code,
                        Customer.name,
                        Customer.stage,
                        Customer.owner_id,
                        Customer.created_at,
                    )
                    .where(Customer.archived.is_(False))
                    .order_by(Customer.id.desc())
                    .limit(limit)
                )
            ).all()
        return [BareCustomer.model_validate(row._asdict()) for row in rows]

    return app
