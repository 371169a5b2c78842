# Multi-stage: build the web app and the Python environment, run as non-root.
# Tool versions are pinned (base images by full version, uv by version, packages by the lock
# files); bump them on purpose.
ARG NODE_IMAGE=node:20.19.4-bookworm-slim
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${NODE_IMAGE} AS web
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
COPY openapi /app/openapi
RUN npm run build

FROM ${PYTHON_IMAGE} AS build
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY api api
COPY config config
COPY domain domain
COPY persistence persistence
COPY jobs jobs
COPY bench bench
COPY migrations migrations
COPY alembic.ini ./
RUN uv sync --locked --no-dev

FROM ${PYTHON_IMAGE}
# pg_dump / pg_restore for `crm backup` and the nightly backup job on PostgreSQL: Debian 12's
# client 15 (it dumps servers up to 15; compose.yaml runs PostgreSQL 15).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 crm \
 && mkdir -p /app/var && chown crm:crm /app/var
WORKDIR /app
COPY --from=build --chown=crm:crm /app /app
COPY --from=web --chown=crm:crm /app/frontend/dist /app/frontend/dist
COPY --chown=crm:crm deploy/entrypoint.sh /app/deploy/entrypoint.sh
USER crm
ENV PATH=/app/.venv/bin:$PATH \
    CRM_HOST=0.0.0.0 \
    CRM_PORT=8000 \
    CRM_SEED_DEMO=0 \
    PYTHONUNBUFFERED=1
# The SQLite database, the generated secret key, attachments and backups: keep them.
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"]
# Exec form: the entry point is PID 1 and `exec`s the server, so `docker stop` reaches it.
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD []
