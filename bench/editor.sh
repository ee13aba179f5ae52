#!/usr/bin/env bash
# Server time and size of the article editor's page (the demo LDN article), DEBUG off, PostgreSQL.
#
#   bash bench/editor.sh
#
# Builds a throw-away PostgreSQL database (editorial_bench_editor), migrates and seeds it,
# collects the static files (the manifest the page's links need with DEBUG off) into the
# git-ignored bench/.out, and runs bench/editor_page.py, which renders the page through
# Django's test client and prints the median server time, bytes, elements, controls and queries.
# Exit status: 0 on PASS, 1 on FAIL, 2 when the bench itself could not run.
#
# Knobs (environment): BENCH_EDITOR_REQUESTS (15), BENCH_EDITOR_MAX_MS (300),
# BENCH_EDITOR_MAX_KB (150), BENCH_EDITOR_DB (editorial_bench_editor), BENCH_EDITOR_REUSE
# (1: keep the database of the last run, to measure a change to the code alone),
# PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DB_NAME="${BENCH_EDITOR_DB:-editorial_bench_editor}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/.out/editor"

die() { echo "bench: $*" >&2; exit 2; }
[[ -x "$PY" ]] || die "no .venv: run 'make test' or 'pip install -r requirements.txt' first"
for tool in dropdb createdb; do command -v "$tool" >/dev/null || die "'$tool' is missing (apt-get install postgresql-client)"; done

export DJANGO_SETTINGS_MODULE=bench.settings DEBUG=false SECRET_KEY="bench-only-not-a-secret-$$"
export ALLOWED_HOSTS=localhost SITE_URL=http://localhost SECURE_SSL_REDIRECT=false STAFF_MFA_REQUIRED=false LOG_LEVEL=WARNING
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB_NAME"
mkdir -p "$OUT"
if [[ "${BENCH_EDITOR_REUSE:-0}" != 1 ]]; then
    dropdb --if-exists --force "$DB_NAME" && createdb "$DB_NAME"
    "$PY" manage.py migrate --noinput >"$OUT/migrate.log"
    "$PY" manage.py seed_demo >"$OUT/seed.log"
fi
"$PY" manage.py collectstatic --noinput --clear >"$OUT/collectstatic.log"
status=0
"$PY" -m bench.editor_page || status=$?
exit "$status"
