#!/usr/bin/env bash
# Time and peak memory of `manage.py audit` over a library of 10,000 live articles.
#
#   bash bench/audit.sh
#
# Builds a throw-away PostgreSQL database (editorial_bench_audit), migrates and seeds it,
# fills it with live articles in bulk (bench/make_library.py: working copies with their
# history, revisions, approvals, audit events, chains, public slugs; then seals and a
# checkpoint), collects the static files the pages link (DEBUG is off, as in production),
# and runs `manage.py audit` under /usr/bin/time -v with an empty page cache (Redis when
# redis-server answers on 127.0.0.1:6379, database BENCH_AUDIT_REDIS_DB, flushed first; else
# the process's own cache): every page is rendered by the view once, then read from the cache.
# That is the audit's usual case: a page pointer lives READER_CACHE_SECONDS (5 minutes), so
# only pages read in the last minutes are still cached when the audit asks for them.
# Prints wall time, CPU time and maximum resident set size, PASS when the audit exits 0
# within BENCH_AUDIT_MAX_SECONDS and BENCH_AUDIT_MAX_MB.
# Exit status: 0 on PASS, 1 on FAIL, 2 when the bench itself could not run.
#
# Knobs (environment): BENCH_AUDIT_ARTICLES (10000), BENCH_AUDIT_MAX_SECONDS (900),
# BENCH_AUDIT_MAX_MB (1000), BENCH_AUDIT_DB (editorial_bench_audit), BENCH_AUDIT_REUSE (0: set 1
# to audit the database the last run built), BENCH_AUDIT_REDIS_DB (14),
# PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ARTICLES="${BENCH_AUDIT_ARTICLES:-10000}"
MAX_SECONDS="${BENCH_AUDIT_MAX_SECONDS:-900}"
MAX_MB="${BENCH_AUDIT_MAX_MB:-1000}"
DB_NAME="${BENCH_AUDIT_DB:-editorial_bench_audit}"
REDIS_DB="${BENCH_AUDIT_REDIS_DB:-14}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/.out/audit"

die() { echo "bench: $*" >&2; exit 2; }
[[ -x "$PY" ]] || die "no .venv: run 'make test' or 'pip install -r requirements.txt' first"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
for tool in dropdb createdb; do command -v "$tool" >/dev/null || die "'$tool' is missing (apt-get install postgresql-client)"; done

export DJANGO_SETTINGS_MODULE=bench.settings DEBUG=false SECRET_KEY="bench-only-secret-key" ALLOWED_HOSTS=localhost SITE_URL=http://localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB_NAME"
mkdir -p "$OUT"
if [[ "${BENCH_AUDIT_REUSE:-0}" != 1 ]]; then
    dropdb --if-exists "$DB_NAME" && createdb "$DB_NAME"
    "$PY" manage.py migrate --noinput >/dev/null
    "$PY" manage.py seed_demo >/dev/null 2>&1
    echo "== making $ARTICLES articles live" >&2
    /usr/bin/time -v -o "$OUT/make.time" "$PY" bench/make_library.py "$ARTICLES" 2> "$OUT/make.err" \
        || { tail -20 "$OUT/make.err" >&2; die "making the library failed"; }
    tail -1 "$OUT/make.err" >&2
fi
"$PY" manage.py collectstatic --noinput >/dev/null

status=0
printf '%-6s %9s %9s %9s %9s  %s\n' run articles seconds "CPU s" "peak MB" verdict
run_audit() {
    local name="$1" wall peak seconds cpu mb verdict=PASS code=0
    /usr/bin/time -v -o "$OUT/$name.time" "$PY" manage.py audit > "$OUT/$name.log" 2> "$OUT/$name.err" || code=$?
    if [[ "$code" != 0 ]]; then verdict=FAIL; status=1; tail -5 "$OUT/$name.log" >&2; fi
    wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/$name.time")"
    peak="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$name.time")"
    seconds="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.0f", s }' <<<"$wall")"
    mb="$(awk '{ printf "%.0f", $1 / 1024 }' <<<"$peak")"
    cpu="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.0f", s }' "$OUT/$name.time")"
    if awk -v s="$seconds" -v m="$mb" -v S="$MAX_SECONDS" -v M="$MAX_MB" 'BEGIN { exit !(s > S || m > M) }'; then
        verdict=FAIL; status=1
    fi
    printf '%-6s %9s %9s %9s %9s  %s\n' "$name" "$ARTICLES" "$seconds" "$cpu" "$mb" "$verdict"
    tail -1 "$OUT/$name.log" >&2
}
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
if ! { command -v redis-cli >/dev/null && redis-cli -n "$REDIS_DB" flushdb >/dev/null 2>&1; }; then
    echo "bench: no Redis on 127.0.0.1:6379: the audit uses its own process's page cache" >&2
    unset REDIS_URL
fi
run_audit cold
echo "limits: ${MAX_SECONDS} s and ${MAX_MB} MB per run (whole process); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit "$status"
