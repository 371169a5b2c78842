#!/bin/sh
# The image's entry point: migrate (unless CRM_MIGRATE=0: with several replicas, one one-off
# `crm migrate` does it), seed demo data only when CRM_SEED_DEMO=1 (and only into a database
# without users), then become the server (exec: `docker stop`'s SIGTERM reaches uvicorn, which
# finishes the requests in flight).
set -eu
if [ "${CRM_MIGRATE:-1}" != "0" ]; then
  crm migrate
fi
if [ "${CRM_SEED_DEMO:-0}" = "1" ]; then
  crm seed-demo
fi
exec crm serve "$@"
