#!/usr/bin/env bash
# Wagtail's page of the same shape as our article page, served for the benchmark.
#
#   bash bench/wagtail.sh start PORT   # prints only the page's path on stdout; exit 0 once it answers 200
#   bash bench/wagtail.sh stop
#
# start: creates the virtualenv .venv-wagtail (pip install -r bench/wagtail/requirements.txt)
# when it is missing or the requirements changed; creates the PostgreSQL database
# wagtail_bench when it is missing and migrates it; exports the demo LDN article's revision
# document from the project (or takes WAGTAIL_BENCH_DOCUMENT); publishes it as a Wagtail page
# (bench/wagtail, manage.py seed_article); serves the site with gunicorn (2 sync workers,
# DEBUG off, plain HTTP) on 127.0.0.1:PORT in the background, its pid in bench/.out/; waits
# until the page answers 200 and prints its path. Every log goes to stderr or bench/.out/.
# stop: stops that gunicorn (by the pid in its pid file).
#
# Knobs (environment): WAGTAIL_BENCH_DB (wagtail_bench), WAGTAIL_BENCH_WORKERS (2),
# WAGTAIL_BENCH_DOCUMENT (a revision document as JSON; default: exported from the project's
# database BENCH_DB, editorial_bench, when it holds the demo article, otherwise from a database
# wagtail_bench_source seeded once with seed_demo), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE="$ROOT/bench/wagtail"
VENV="$ROOT/.venv-wagtail"
OUT="$ROOT/bench/.out"
PID_FILE="$OUT/wagtail-gunicorn.pid"
LOG_FILE="$OUT/wagtail-gunicorn.log"
SLUG="low-dose-naltrexone-chronic-pain"
DB_NAME="${WAGTAIL_BENCH_DB:-wagtail_bench}"
SOURCE_DB="${BENCH_DB:-editorial_bench}"
OWN_SOURCE_DB="wagtail_bench_source"
WORKERS="${WAGTAIL_BENCH_WORKERS:-2}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"

die() { echo "wagtail: $*" >&2; exit 2; }
log() { echo "wagtail: $*" >&2; }
trap 'echo "wagtail: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

stop() {
    [[ -f "$PID_FILE" ]] || return 0
    local pid
    pid="$(cat "$PID_FILE")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
}

ensure_venv() {  # (re)installs when the requirements file differs from the one last installed
    local stamp="$VENV/.requirements.txt"
    if [[ -x "$VENV/bin/gunicorn" ]] && cmp -s "$SITE/requirements.txt" "$stamp"; then return 0; fi
    log "installing $VENV (pip install -r bench/wagtail/requirements.txt)"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$SITE/requirements.txt" >&2
    cp "$SITE/requirements.txt" "$stamp"
}

database_exists() { [[ "$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" == 1 ]]; }

project_env() {  # runs a command in the project's own environment against database $1
    local db="$1"; shift
    DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${db}" DJANGO_SETTINGS_MODULE=config.settings \
        DEBUG=false SECRET_KEY="wagtail-bench-export-$$" ALLOWED_HOSTS=127.0.0.1 REDIS_URL="" LOG_LEVEL=WARNING "$@"
}

export_document() {  # $1 = output file: the demo article's live revision document
    local out="$1" py="$ROOT/.venv/bin/python"
    [[ -x "$py" ]] || die "no project .venv to export the article from: set WAGTAIL_BENCH_DOCUMENT to a document (JSON)"
    if database_exists "$SOURCE_DB" \
        && project_env "$SOURCE_DB" "$py" "$SITE/export_document.py" "$out" "$SLUG" >>"$OUT/wagtail-export.log" 2>&1; then
        log "document exported from $SOURCE_DB"
        return 0
    fi
    if ! database_exists "$OWN_SOURCE_DB"; then
        log "seeding $OWN_SOURCE_DB (migrate, seed_demo) to export the demo article from"
        createdb "$OWN_SOURCE_DB"
        (cd "$ROOT" && project_env "$OWN_SOURCE_DB" "$py" manage.py migrate --noinput && project_env "$OWN_SOURCE_DB" "$py" manage.py seed_demo) \
            >>"$OUT/wagtail-export.log" 2>&1 || { dropdb --if-exists "$OWN_SOURCE_DB"; die "seeding $OWN_SOURCE_DB failed (see $OUT/wagtail-export.log)"; }
    fi
    project_env "$OWN_SOURCE_DB" "$py" "$SITE/export_document.py" "$out" "$SLUG" >>"$OUT/wagtail-export.log" 2>&1 \
        || die "cannot export the article (see $OUT/wagtail-export.log)"
    log "document exported from $OWN_SOURCE_DB"
}

start() {
    local port="$1" document path
    [[ "$port" =~ ^[0-9]+$ ]] || die "usage: bench/wagtail.sh start PORT"
    for tool in python3 psql createdb curl; do command -v "$tool" >/dev/null || die "'$tool' is missing"; done
    mkdir -p "$OUT"
    stop
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "port $port is already in use"
    ensure_venv

    # The site's settings come from the environment: production-like, plain HTTP on loopback.
    export DJANGO_SETTINGS_MODULE=ldn_site.settings DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
    export SECRET_KEY="wagtail-bench-only-not-a-secret-$$" WAGTAIL_BENCH_DB="$DB_NAME" LOG_LEVEL=WARNING
    export PYTHONDONTWRITEBYTECODE=1

    database_exists "$DB_NAME" || createdb "$DB_NAME"
    (cd "$SITE" && "$VENV/bin/python" manage.py migrate --noinput) >"$OUT/wagtail-migrate.log" 2>&1 \
        || { tail -n 20 "$OUT/wagtail-migrate.log" >&2; die "migrate failed"; }

    document="${WAGTAIL_BENCH_DOCUMENT:-}"
    if [[ -z "$document" ]]; then
        document="$OUT/wagtail-document.json"
        export_document "$document"
    fi
    [[ -f "$document" ]] || die "no document at $document"
    path="$(cd "$SITE" && "$VENV/bin/python" manage.py seed_article "$document" 2>>"$OUT/wagtail-seed.log")" \
        || { tail -n 20 "$OUT/wagtail-seed.log" >&2; die "seed_article failed"; }
    path="$(tail -n 1 <<<"$path")"
    [[ "$path" == /* ]] || die "seed_article printed no page path ('$path')"

    # Detached from this script's stdout, so a caller reading the path through $(...) does not wait on it.
    (cd "$SITE" && exec "$VENV/bin/gunicorn" ldn_site.wsgi:application \
        --bind "127.0.0.1:${port}" --workers "$WORKERS" --worker-class sync \
        --log-level warning --error-logfile "$LOG_FILE") </dev/null >>"$LOG_FILE" 2>&1 &
    echo $! >"$PID_FILE"
    for _ in $(seq 150); do
        if [[ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}${path}" 2>/dev/null)" == 200 ]]; then
            log "serving $path on http://127.0.0.1:${port} (gunicorn pid $(cat "$PID_FILE"), $WORKERS sync workers)"
            echo "$path"
            return 0
        fi
        kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break
        sleep 0.2
    done
    tail -n 30 "$LOG_FILE" >&2 || true
    stop
    die "the Wagtail page did not answer 200 on http://127.0.0.1:${port}${path}"
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop ;;
    *) die "usage: bench/wagtail.sh start PORT | stop" ;;
esac
