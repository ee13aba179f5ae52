#!/usr/bin/env bash
# Scale-out on one machine: a PostgreSQL primary, a streaming replica, two app servers.
#
#   bash bench/replica.sh      (run as root: the clusters run as the 'postgres' OS user)
#
# Builds two throw-away PostgreSQL clusters of its own (the machine's PostgreSQL is left
# alone): a primary made with initdb and a hot standby made from it with pg_basebackup,
# streaming its WAL. Migrates and seeds the primary, waits until the replica has the rows,
# then serves the project with TWO gunicorn app servers (sync workers, DEBUG off) that share
# the primary (DATABASE_URL), the replica (DATABASE_REPLICA_URL) and Redis, plus one task
# worker (db_worker) on the primary. Then:
#   routing     anonymous reader pages (the article in each audience, home, search) are read
#               from the replica; the same page with the read-your-writes cookie, and a page
#               outside the reader site (the admin's login), from the primary. Judged by the
#               table scans each cluster counts (pg_stat_user_tables), the task queue's tables
#               left out (the worker polls them).
#   throughput  wrk against ONE app server, then against BOTH at once (two wrk processes,
#               req/s summed), interleaved in rounds: the cached article page (a whole-page
#               cache hit, no database) and a database mix (home's pages and searches for
#               varying words, bench/replica_mix.lua: every request reads the replica).
#   failover    the replica stopped, the page cache flushed: the same anonymous pages still
#               answer 200 from both servers, read from the primary.
# Exit status: 0 on PASS (routing as promised, both servers served without errors), 1 on
# FAIL, 2 when the bench itself could not run.
#
# Knobs (environment): BENCH_WORKERS (2 per server), BENCH_THREADS (1 per wrk),
# BENCH_CONNECTIONS (16 per server), BENCH_ROUNDS (3), BENCH_SLICE (5 s per case and round),
# BENCH_PG_PORT (first port tried for the primary, 5434; the replica takes the next free one),
# BENCH_PORT (first port tried for the app servers, 8785), BENCH_DB (editorial_bench_replica),
# PG_BIN (/usr/lib/postgresql/15/bin), BENCH_REDIS_URL (redis://127.0.0.1:6379/13 - a Redis
# database the bench flushes).
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-1}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
ROUNDS="${BENCH_ROUNDS:-3}"
SLICE="${BENCH_SLICE:-5}"
DB_NAME="${BENCH_DB:-editorial_bench_replica}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
BENCH_REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}"
ARTICLE_PATH="/articles/low-dose-naltrexone-chronic-pain/"
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
OUT="$ROOT/bench/.out/replica"

die() { echo "bench: $*" >&2; exit 2; }
log() { echo "== [${SECONDS}s] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
[[ -x "$PY" && -x "$GUNICORN" ]] || die "no .venv with gunicorn: run 'make test' or 'pip install -r requirements.txt' first"
[[ "$(id -u)" == 0 ]] || die "run as root: the bench's PostgreSQL clusters run as the 'postgres' OS user"
id postgres >/dev/null 2>&1 || die "no 'postgres' OS user (Debian: apt-get install postgresql-15)"
for tool in initdb pg_ctl pg_basebackup; do
    [[ -x "$PG_BIN/$tool" ]] || die "'$PG_BIN/$tool' is missing (set PG_BIN; Debian: apt-get install postgresql-15)"
done
for tool in psql curl redis-cli runuser; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (Debian: apt-get install postgresql-client curl redis-tools)"
done
if ! command -v wrk >/dev/null; then
    if command -v apt-get >/dev/null; then
        log "installing wrk (apt-get install -y wrk)"
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        die "wrk is missing: install it (Debian/Ubuntu: apt-get install wrk) and run again"
    fi
fi
redis-cli -u "$BENCH_REDIS_URL" ping >/dev/null 2>&1 || die "cannot reach Redis at $BENCH_REDIS_URL"

mkdir -p "$OUT"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
SECONDS=0

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {  # $1 = first port tried; prints the first free one from there
    local port="$1"
    for _ in $(seq 40); do port_in_use "$port" || { echo "$port"; return 0; }; port=$((port + 1)); done
    return 1
}

# ---------------------------------------------------------------- clean-up (always)
PGTMP=""
PRIMARY_UP="" REPLICA_UP=""
SERVER_PIDS=() WORKER_PID=""
stop_pid() {  # $1 = pid: TERM, wait up to 5 s, then KILL
    local pid="$1"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
as_postgres() { runuser -u postgres -- "$@"; }
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
    stop_pid "$WORKER_PID"
    [[ -n "$REPLICA_UP" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/replica" -m fast -w stop >/dev/null 2>&1 || true
    [[ -n "$PRIMARY_UP" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/primary" -m fast -w stop >/dev/null 2>&1 || true
    [[ -n "$PGTMP" && -d "$PGTMP" ]] && rm -rf "$PGTMP"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the primary and its replica
PG_PORT="$(free_port "${BENCH_PG_PORT:-5434}")" || die "no free port from ${BENCH_PG_PORT:-5434}"
PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/bench-replica.XXXXXX")"
chown postgres: "$PGTMP"
chmod 700 "$PGTMP"
log "primary: initdb, port $PG_PORT"
as_postgres "$PG_BIN/initdb" -D "$PGTMP/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$OUT/initdb.log" 2>&1 \
    || { cat "$OUT/initdb.log" >&2; die "initdb failed"; }
# Loopback only, trust; a throw-away cluster, so no fsync. The replica inherits this file.
cat >>"$PGTMP/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGTMP'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 64MB
max_connections = 60
fsync = off
EOF
cat >"$PGTMP/primary/pg_hba.conf" <<'EOF'
local all         all                 trust
host  all         all  127.0.0.1/32   trust
host  replication all  127.0.0.1/32   trust
EOF
as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/primary" -o "-p $PG_PORT" -l "$PGTMP/primary.log" -w -t 60 start >/dev/null \
    || { cat "$PGTMP/primary.log" >&2; die "the primary did not start"; }
PRIMARY_UP=1

REPLICA_PORT="$(free_port $((PG_PORT + 1)))" || die "no free port for the replica"
log "replica: pg_basebackup -R -X stream, port $REPLICA_PORT"
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$PGTMP/replica" -R -X stream \
    >"$OUT/basebackup.log" 2>&1 || { cat "$OUT/basebackup.log" >&2; die "pg_basebackup failed"; }
as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/replica" -o "-p $REPLICA_PORT" -l "$PGTMP/replica.log" -w -t 60 start >/dev/null \
    || { cat "$PGTMP/replica.log" >&2; die "the replica did not start"; }
REPLICA_UP=1

on_primary() { psql -X -qAt -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${PGDB:-postgres}" -v ON_ERROR_STOP=1 -c "$1"; }
on_replica() { psql -X -qAt -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d "${PGDB:-postgres}" -v ON_ERROR_STOP=1 -c "$1"; }
[[ "$(on_replica 'select pg_is_in_recovery()')" == t ]] || die "the replica is not in recovery"
streaming=""
for _ in $(seq 50); do
    streaming="$(on_primary "select count(*) from pg_stat_replication where state = 'streaming'")"
    [[ "$streaming" == 1 ]] && break
    sleep 0.2
done
[[ "$streaming" == 1 ]] || die "the primary shows no streaming replica in pg_stat_replication"
log "replica in recovery, streaming from the primary"

# ---------------------------------------------------------------- database, on the primary
# The bench's settings and environment: production-like (DEBUG off), plain HTTP on loopback.
export DJANGO_SETTINGS_MODULE=bench.settings
export DEBUG=false
export SECRET_KEY="bench-only-not-a-secret-$$"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export DATABASE_URL="postgres://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}"
export LOG_LEVEL=WARNING
export PYTHONDONTWRITEBYTECODE=1
export REDIS_URL="$BENCH_REDIS_URL"
unset DATABASE_REPLICA_URL  # migrate and seed on the primary only; the servers get it below

log "database $DB_NAME on the primary: create, migrate, seed; collectstatic"
on_primary "create database $DB_NAME"
"$PY" manage.py collectstatic --noinput --clear >"$OUT/collectstatic.log" &
collectstatic_pid=$!
"$PY" manage.py migrate --noinput >"$OUT/migrate.log"
"$PY" manage.py seed_demo >"$OUT/seed.log"
wait "$collectstatic_pid" || die "collectstatic failed (see $OUT/collectstatic.log)"

# The replica replays the primary's WAL: wait until it holds the same published articles.
published="$(PGDB="$DB_NAME" on_primary 'select count(*) from reader_publishedarticle')"
[[ "$published" -gt 0 ]] || die "seed_demo published nothing"
lag_ms=""
start_ns="$(date +%s%N)"
for _ in $(seq 150); do
    if [[ "$(PGDB="$DB_NAME" on_replica 'select count(*) from reader_publishedarticle' 2>/dev/null)" == "$published" ]]; then
        lag_ms=$(( ($(date +%s%N) - start_ns) / 1000000 )); break
    fi
    sleep 0.2
done
[[ -n "$lag_ms" ]] || die "the replica did not catch up within 30 s"
log "replica holds the $published published articles (caught up within ${lag_ms} ms of the check)"

# ---------------------------------------------------------------- two app servers and a worker
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:${REPLICA_PORT}/${DB_NAME}?connect_timeout=2"
redis-cli -u "$BENCH_REDIS_URL" flushdb >/dev/null

"$PY" manage.py db_worker --no-reload --no-startup-delay -v 1 >"$OUT/worker.log" 2>&1 &
WORKER_PID=$!

PORTS=()
next="${BENCH_PORT:-8785}"
for n in 1 2; do
    port="$(free_port "$next")" || die "no free port from $next"
    PORTS+=("$port")
    "$GUNICORN" config.wsgi:application \
        --bind "127.0.0.1:${port}" --workers "$WORKERS" --worker-class sync \
        --log-level warning --error-logfile "$OUT/gunicorn-$n.log" 2>>"$OUT/gunicorn-$n.log" &
    SERVER_PIDS+=($!)
    next=$((port + 1))
done
BASES=("http://127.0.0.1:${PORTS[0]}" "http://127.0.0.1:${PORTS[1]}")
for n in 0 1; do
    up=""
    for _ in $(seq 150); do
        if curl -fsS -o /dev/null "${BASES[n]}/robots.txt" 2>/dev/null; then up=1; break; fi
        kill -0 "${SERVER_PIDS[n]}" 2>/dev/null || break
        sleep 0.2
    done
    [[ -n "$up" ]] || { tail -n 30 "$OUT/gunicorn-$((n + 1)).log" >&2 || true; die "app server $((n + 1)) did not come up on ${BASES[n]}"; }
done
sleep 1
kill -0 "$WORKER_PID" 2>/dev/null || { cat "$OUT/worker.log" >&2; die "db_worker exited"; }
log "app servers on ${BASES[0]} and ${BASES[1]} ($WORKERS sync workers each), db_worker running (pid $WORKER_PID)"

# ---------------------------------------------------------------- routing
# Table scans (sequential + index) each cluster counted in the bench's database, leaving out the
# task queue's tables (db_worker polls them on the primary). A standby counts the scans of the
# queries run on it. A backend that keeps its connection (CONN_MAX_AGE) hands its counters over
# when idle, at most once a second, else after 10 s: so each check waits 12 s.
scans() {  # $1 = on_primary|on_replica
    PGDB="$DB_NAME" "$1" "select coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) from pg_stat_user_tables
                          where relname not like 'django_tasks%'"
}
scans_by_table() {  # $1 = on_primary|on_replica; "table scans" lines
    PGDB="$DB_NAME" "$1" "select relname || ' ' || (seq_scan + coalesce(idx_scan, 0)) from pg_stat_user_tables
                          where relname not like 'django_tasks%' order by relname"
}
settle() { sleep 12; }
ROUTING=PASS
check() {  # $1 = label, $2 = replica scans grew (yes|no), $3 = primary scans grew (yes|no), then the deltas
    local label="$1" want_replica="$2" want_primary="$3" d_replica="$4" d_primary="$5" got_replica got_primary verdict=ok
    got_replica=no; (( d_replica > 0 )) && got_replica=yes
    got_primary=no; (( d_primary > 0 )) && got_primary=yes
    [[ "$got_replica" == "$want_replica" && "$got_primary" == "$want_primary" ]] || { verdict=WRONG; ROUTING=FAIL; }
    printf '  %-62s replica +%-6s primary +%-6s %s\n' "$label" "$d_replica" "$d_primary" "$verdict"
}
fetch() {  # $1 = url, rest = curl args; fails unless 200
    local url="$1" code; shift
    code="$(curl -sS -o /dev/null -w '%{http_code}' "$@" "$url")"
    [[ "$code" == 200 ]] || { echo "bench: $url answered $code" >&2; ROUTING=FAIL; }
}

redis-cli -u "$BENCH_REDIS_URL" flushdb >/dev/null
settle
echo
echo "Routing (page cache flushed; table scans counted by each cluster):"
r0="$(scans on_replica)"; p0="$(scans on_primary)"
for audience in patient clinician student; do
    fetch "${BASES[0]}$ARTICLE_PATH" -H "Cookie: audience=$audience"
done
fetch "${BASES[0]}/"
fetch "${BASES[0]}/?q=pain"
fetch "${BASES[0]}/?page=2"
settle
r1="$(scans on_replica)"; p1="$(scans on_primary)"
check "anonymous reader: article x 3 audiences, home, search" yes no $((r1 - r0)) $((p1 - p0))

fetch "${BASES[0]}/?q=sleep" -H "Cookie: primary_reads=1"
fetch "${BASES[0]}/?page=3" -H "Cookie: primary_reads=1"
settle
r2="$(scans on_replica)"; p2="$(scans on_primary)"
check "reader who just wrote (read-your-writes cookie): search, home" no yes $((r2 - r1)) $((p2 - p1))

fetch "${BASES[0]}/admin/login/"
fetch "${BASES[0]}/?q=dose" -H "Cookie: sessionid=not-a-session"
settle
r3="$(scans on_replica)"; p3="$(scans on_primary)"
check "admin login page; a search with a session cookie" no yes $((r3 - r2)) $((p3 - p2))

# A write (a follow-up question's POST, refused for want of a CSRF token or not) sets the cookie.
cookie="$(curl -sS -D - -o /dev/null -X POST "${BASES[1]}${ARTICLE_PATH}ask/" | tr -d '\r' | grep -ci '^set-cookie: primary_reads=' || true)"
if [[ "$cookie" -ge 1 ]]; then
    printf '  %-62s %s\n' "a POST sets the read-your-writes cookie" ok
else
    printf '  %-62s %s\n' "a POST sets the read-your-writes cookie" WRONG; ROUTING=FAIL
fi
echo "routing: $ROUTING"

# ---------------------------------------------------------------- throughput
# As in run.sh: the machine may be busy with other work, so every case runs in ROUNDS short
# slices, interleaved and in alternating order. "both" runs two wrk processes at once, one per
# app server, each with the connections "one" uses; its req/s is their sum.
declare -A REQS USECS P50S P99S ERRS SERVED ROUND_RPS
ROWS=()
RAW=()
wrk_start() {  # $1 = output file, $2 = base url, $3 = path, $4 = lua script
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${SLICE}s" --timeout 5s --latency -s "$4" "$2$3" >"$1" 2>&1 &
    RAW+=("$!:$1")
}
run_case() {  # $1 = label, $2 = servers (1|2), $3 = path, $4 = lua script
    local label="$1" servers="$2" path="$3" script="$4" entry pid file line requests=0 duration=0 rps=0 n=0
    RAW=()
    for (( n = 0; n < servers; n++ )); do
        wrk_start "$OUT/wrk-${label//[^a-z0-9]/_}-$n.txt" "${BASES[n]}" "$path" "$script"
    done
    [[ -n "${REQS[$label]:-}" ]] || { ROWS+=("$label"); REQS[$label]=0; USECS[$label]=0; ERRS[$label]=0; SERVED[$label]=""; }
    n=0
    for entry in "${RAW[@]}"; do
        pid="${entry%%:*}"; file="${entry#*:}"
        wait "$pid" || { cat "$file" >&2; die "wrk failed ($label)"; }
        line="$(grep '^BENCH ' "$file")" || { cat "$file" >&2; die "no result from wrk ($label)"; }
        field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
        requests=$(( requests + $(field requests) ))
        duration="$(( duration > $(field duration_us) ? duration : $(field duration_us) ))"
        rps="$(awk -v a="$rps" -v b="$(field rps)" 'BEGIN{printf "%.1f", a + b}')"
        ERRS[$label]=$(( ${ERRS[$label]} + $(field err_connect) + $(field err_read) + $(field err_write) + $(field err_status) + $(field err_timeout) ))
        (( $(field requests) > 0 )) && SERVED[$label]+="$((n + 1)) "
        P50S[$label]+="$(field p50_us) "
        P99S[$label]+="$(field p99_us) "
        n=$((n + 1))
    done
    # Summed over servers: requests of all wrk processes over the slice's wall time.
    REQS[$label]=$(( ${REQS[$label]} + requests ))
    USECS[$label]=$(( ${USECS[$label]} + duration ))
    ROUND_RPS[$label]="$rps"
}
rps() { awk -v n="${REQS[$1]}" -v us="${USECS[$1]}" 'BEGIN{printf "%.1f", (us > 0 ? n / (us / 1e6) : 0)}'; }
median() {  # $1 = space-separated numbers, $2 = decimals, $3 = divisor
    tr ' ' '\n' <<<"$1" | grep . | sort -g \
        | awk -v d="${2:-1}" -v k="${3:-1}" '{v[NR]=$1} END{m = (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2); printf "%.*f", d, m/k}'
}
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }

# Warm-up: both servers' workers, their connections to both clusters and Redis, the page cache.
for base in "${BASES[@]}"; do
    wrk -t 1 -c 4 -d 1s "$base$ARTICLE_PATH" >/dev/null 2>&1
    wrk -t 1 -c 4 -d 1s -s "$ROOT/bench/replica_mix.lua" "$base/" >/dev/null 2>&1
done
settle
r_before="$(scans on_replica)"; p_before="$(scans on_primary)"
primary_tables_before="$(scans_by_table on_primary)"

declare -A X_ONE
cases=("cached|$ARTICLE_PATH|$ROOT/bench/report.lua" "db mix|/|$ROOT/bench/replica_mix.lua")
for round in $(seq "$ROUNDS"); do
    order=()
    for c in "${cases[@]}"; do order+=("1|$c" "2|$c"); done
    if (( round % 2 == 0 )); then
        reversed=(); for (( i = ${#order[@]} - 1; i >= 0; i-- )); do reversed+=("${order[i]}"); done
        order=("${reversed[@]}")
    fi
    for c in "${order[@]}"; do
        IFS='|' read -r servers name path script <<<"$c"
        label="$name, $([[ $servers == 1 ]] && echo one || echo both)"
        run_case "$label" "$servers" "$path" "$script"
    done
    for name in cached "db mix"; do
        X_ONE[$name]+="$(ratio_of "${ROUND_RPS[$name, both]}" "${ROUND_RPS[$name, one]}") "
    done
    log "round $round/$ROUNDS: cached ${ROUND_RPS[cached, one]} -> ${ROUND_RPS[cached, both]} req/s," \
        "db mix ${ROUND_RPS[db mix, one]} -> ${ROUND_RPS[db mix, both]} req/s (one -> both servers)"
done
settle
r_after="$(scans on_replica)"; p_after="$(scans on_primary)"
# Which tables the primary scanned meanwhile, if any (name +count).
primary_tables="$(join <(sort <<<"$primary_tables_before") <(scans_by_table on_primary | sort) \
    | awk '$3 > $2 {printf "%s %s+%d", sep, $1, $3 - $2; sep = ","}')"

# ---------------------------------------------------------------- failover
# The replica goes away: readers' pages must still answer, from the primary (config/replica.py
# checks the replica before a request uses it and leaves it alone for REPLICA_RETRY_SECONDS).
as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/replica" -m fast -w stop >/dev/null
REPLICA_UP=""
redis-cli -u "$BENCH_REDIS_URL" flushdb >/dev/null
FAILOVER=PASS
ROUTING_BEFORE_FAILOVER="$ROUTING"
p_down="$(scans on_primary)"
for base in "${BASES[@]}"; do
    for audience in patient clinician student; do
        fetch "$base$ARTICLE_PATH" -H "Cookie: audience=$audience"
    done
    fetch "$base/"
    fetch "$base/?q=pain"
done
[[ "$ROUTING" == "$ROUTING_BEFORE_FAILOVER" ]] || FAILOVER=FAIL  # fetch() marks a non-200 answer
ROUTING="$ROUTING_BEFORE_FAILOVER"
settle
p_down_after="$(scans on_primary)"
(( p_down_after > p_down )) || FAILOVER=FAIL
echo
printf '  %-62s %s\n' "replica stopped: article x 3 audiences, home, search, both servers" \
    "$FAILOVER (primary +$((p_down_after - p_down)) scans)"

# ---------------------------------------------------------------- report
echo
echo "Scale-out: one app server vs two, reads on a streaming replica - $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "$(nproc) CPUs, PostgreSQL $(on_primary 'show server_version' | cut -d' ' -f1) primary + hot standby, 2 app servers x $WORKERS sync workers," \
     "wrk -t$THREADS -c$CONNECTIONS per server, $ROUNDS interleaved rounds of ${SLICE}s per row; total ${SECONDS}s"
echo "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %10s %9s %9s %7s %10s %9s\n' "case" "req/s" "p50 ms" "p99 ms" "errors" "x one" "served by"
status=0
for row in "${ROWS[@]}"; do
    name="${row%, *}"
    x="1.00"; [[ "$row" == *", both" ]] && x="$(median "${X_ONE[$name]}" 2)"
    served="$(tr ' ' '\n' <<<"${SERVED[$row]}" | grep . | sort -u | paste -sd+ -)"
    printf '%-18s %10s %9s %9s %7s %10s %9s\n' "$row" "$(rps "$row")" "$(median "${P50S[$row]}" 1 1000)" \
        "$(median "${P99S[$row]}" 1 1000)" "${ERRS[$row]}" "$x" "$served"
    [[ "${ERRS[$row]}" == 0 ]] || status=1
    [[ "$row" != *", both" || "$served" == "1+2" ]] || status=1
done
echo "table scans during the throughput rounds: replica +$((r_after - r_before)), primary +$((p_after - p_before))${primary_tables:+ (}${primary_tables# }${primary_tables:+)}"
echo
[[ "$ROUTING" == PASS && "$FAILOVER" == PASS ]] || status=1
if (( status == 0 )); then
    echo "replica routing proven, readers served from the primary with the replica down, both servers served without errors: PASS"
else
    echo "routing: $ROUTING; failover: $FAILOVER; errors or a server that served nothing above: FAIL"
fi
busy="$(awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN{print (l > n / 2 ? 1 : 0)}')"
[[ "$busy" == 0 ]] || echo "note: the machine was busy before the run (load $LOAD_BEFORE on $(nproc) CPUs): absolute figures are low and noisy."
echo "note: with $(nproc) CPUs shared by wrk, both servers, both clusters and Redis, a second app server adds workers, not cores."
exit "$status"
