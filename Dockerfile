# Multi-stage: build the web app and the Python environment, run as non-root.
FROM node:20-slim AS web
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
COPY openapi /app/openapi
RUN npm run build

FROM python:3.11-slim AS build
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY api api
COPY domain domain
COPY persistence persistence
COPY jobs jobs
COPY bench bench
COPY migrations migrations
COPY alembic.ini ./
RUN uv sync --locked --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 crm
WORKDIR /app
COPY --from=build --chown=crm:crm /app /app
COPY --from=web --chown=crm:crm /app/frontend/dist /app/frontend/dist
USER crm
ENV PATH=/app/.venv/bin:$PATH \
    CRM_HOST=0.0.0.0 \
    CRM_PORT=8000
EXPOSE 8000
# Migrate, seed demo data on an empty database only, then serve.
CMD ["sh", "-c", "crm migrate && crm seed-demo && crm serve"]
