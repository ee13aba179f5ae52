#!/usr/bin/env bash
# Throughput of the cached article page against a bare-Django floor, side by side.
#
#   bash bench/run.sh
#
# Builds a throw-away PostgreSQL database (editorial_bench), migrates and seeds it,
# serves the project with gunicorn (sync workers, DEBUG off) on 127.0.0.1 and drives it
# with wrk: first with the Redis cache (the production set-up: the headline figure),
# then with the local-memory cache. In each gunicorn run it measures
#   bare     /bench/bare/ - the same bytes from a Django view with no middleware at all
#   floor    /bench/floor/ - a bare view returning the article's bytes from memory, in the full stack
#   cached   the demo article, a whole-page cache hit
#   miss     the article on a cache miss: the page stored when it went live, read back. Served by a
#            second gunicorn beside the first, identical but for READER_CACHE_SECONDS=0 (every
#            pointer expires at once) and a Redis database of its own
#   render   the article rendered from the workflow, as a page with nothing stored is (?render=1:
#            a request with a query string is rendered, never cached)
#   wagtail  Wagtail's page of the same shape (bench/wagtail.sh), when BENCH_WAGTAIL is 1
#   +gzip    the same with Accept-Encoding: gzip            (extra row)
#   304      the same with If-None-Match: <its ETag>         (extra row)
# and prints req/s, p50/p99 latency and the ratios; PASS when, with the first cache mode, cached/bare >= TARGET
# and (with Wagtail) miss/wagtail >= MISS_TARGET.
# Exit status: 0 on PASS, 1 on FAIL, 2 when the bench itself could not run.
#
# Knobs (environment): BENCH_WORKERS (2), BENCH_THREADS (2), BENCH_CONNECTIONS (32),
# BENCH_ROUNDS (8 interleaved rounds), BENCH_SLICE (1 s per round for floor and cached),
# BENCH_EXTRA_SLICE (1 s per round, in rounds 1, 2, 5, 6, ..., for the extra rows),
# BENCH_MODES ("redis locmem"), BENCH_PORT (first port tried, 8765), BENCH_TARGET (0.9), BENCH_MISS_TARGET (10),
# BENCH_DB (editorial_bench), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres),
# BENCH_REDIS_URL (redis://127.0.0.1:6379/15 - a Redis database the bench flushes; the miss
# server flushes and uses the one before it, 14), BENCH_WAGTAIL (1: serve and measure Wagtail's page).
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ROUNDS="${BENCH_ROUNDS:-8}"
SLICE="${BENCH_SLICE:-1}"              # seconds per round for floor and cached
EXTRA_SLICE="${BENCH_EXTRA_SLICE:-1}"  # seconds per round (in every other pair of rounds) for the extras
MODES="${BENCH_MODES:-redis locmem}"
TARGET="${BENCH_TARGET:-0.9}"            # cached/bare
MISS_TARGET="${BENCH_MISS_TARGET:-10}"    # miss/wagtail, when Wagtail is served
DB_NAME="${BENCH_DB:-editorial_bench}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
BENCH_REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
ARTICLE_PATH="/articles/low-dose-naltrexone-chronic-pain/"
FLOOR_PATH="/bench/floor/"
BARE_PATH="/bench/bare/"
RENDER_PATH="$ARTICLE_PATH?render=1"
WAGTAIL="${BENCH_WAGTAIL:-1}"
MISS_REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
MISS_REDIS_URL="${MISS_REDIS_URL%/*}/$(( ${MISS_REDIS_URL##*/} - 1 ))"
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
OUT="$ROOT/bench/.out"

die() { echo "bench: $*" >&2; exit 2; }
log() { echo "== [${SECONDS}s] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
[[ -x "$PY" && -x "$GUNICORN" ]] || die "no .venv with gunicorn: run 'make test' or 'pip install -r requirements.txt' first"
for tool in psql dropdb createdb curl; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (Debian: apt-get install postgresql-client curl)"
done
if ! command -v wrk >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        log "installing wrk (apt-get install -y wrk)"
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        die "wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk) and run again"
    fi
fi
[[ " $MODES " == *" redis "* ]] && { command -v redis-cli >/dev/null || die "'redis-cli' is missing (apt-get install redis-tools)"; }

mkdir -p "$OUT"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
SECONDS=0
# The bench's own settings and environment: production-like (DEBUG off), plain HTTP on loopback.
export DJANGO_SETTINGS_MODULE=bench.settings
export DEBUG=false
export SECRET_KEY="bench-only-not-a-secret-$$"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB_NAME}"
export LOG_LEVEL=WARNING
export PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------- gunicorn lifecycle
GUNICORN_PID=""   # the project, cached pages
MISS_PID=""       # the project, every pointer a miss
WAGTAIL_UP=""
stop_pid() {
    local pid="$1"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
stop_gunicorn() {
    stop_pid "$GUNICORN_PID"; GUNICORN_PID=""
    stop_pid "$MISS_PID"; MISS_PID=""
}
stop_all() {
    stop_gunicorn
    [[ -z "$WAGTAIL_UP" ]] || bash "$ROOT/bench/wagtail.sh" stop >/dev/null 2>&1 || true
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT="${BENCH_PORT:-8765}"
for _ in $(seq 40); do port_in_use "$PORT" || break; PORT=$((PORT + 1)); done
port_in_use "$PORT" && die "no free port from ${BENCH_PORT:-8765}"
BASE="http://127.0.0.1:${PORT}"
MISS_PORT=$((PORT + 1)); for _ in $(seq 40); do port_in_use "$MISS_PORT" || break; MISS_PORT=$((MISS_PORT + 1)); done
WAGTAIL_PORT=$((MISS_PORT + 1)); for _ in $(seq 40); do port_in_use "$WAGTAIL_PORT" || break; WAGTAIL_PORT=$((WAGTAIL_PORT + 1)); done
MISS_BASE="http://127.0.0.1:${MISS_PORT}"
export BENCH_HOST="127.0.0.1:${PORT}"  # the Host wrk and curl send: the floor is rendered for it

serve() {  # $1 = label, $2 = port, $3 = Redis URL ("": local memory), rest = VAR=value for this server; echoes its pid
    local label="$1" port="$2" redis_url="$3"; shift 3
    [[ -z "$redis_url" ]] || redis-cli -u "$redis_url" flushdb >/dev/null || die "cannot reach Redis at $redis_url"
    env REDIS_URL="$redis_url" "$@" "$GUNICORN" bench.wsgi:application \
        --bind "127.0.0.1:${port}" --workers "$WORKERS" --worker-class sync \
        --log-level warning --error-logfile "$OUT/gunicorn-$label.log" >/dev/null 2>&1 &
    echo $!
}

wait_up() {  # $1 = label, $2 = base URL, $3 = pid
    for _ in $(seq 150); do
        if curl -fsS -o /dev/null "$2$FLOOR_PATH" 2>/dev/null; then return 0; fi
        kill -0 "$3" 2>/dev/null || break
        sleep 0.2
    done
    tail -n 30 "$OUT/gunicorn-$1.log" >&2 || true
    die "gunicorn ($1) did not come up on $2"
}

start_gunicorn() {  # $1 = mode (redis|locmem): the cached server, and the miss server beside it
    local mode="$1" redis_url="" miss_redis_url=""
    if [[ "$mode" == redis ]]; then redis_url="$BENCH_REDIS_URL"; miss_redis_url="$MISS_REDIS_URL"; fi
    GUNICORN_PID="$(serve "$mode" "$PORT" "$redis_url" READER_CACHE_SECONDS=300)"
    MISS_PID="$(serve "$mode-miss" "$MISS_PORT" "$miss_redis_url" READER_CACHE_SECONDS=0)"
    wait_up "$mode" "$BASE" "$GUNICORN_PID"
    wait_up "$mode-miss" "$MISS_BASE" "$MISS_PID"
}

# ---------------------------------------------------------------- database
log "database $DB_NAME: drop, create, migrate, seed; collectstatic"
dropdb --if-exists --force "$DB_NAME"
createdb "$DB_NAME"
"$PY" manage.py collectstatic --noinput --clear >"$OUT/collectstatic.log" &
collectstatic_pid=$!
"$PY" manage.py migrate --noinput >"$OUT/migrate.log"
"$PY" manage.py seed_demo >"$OUT/seed.log"
wait "$collectstatic_pid" || die "collectstatic failed (see $OUT/collectstatic.log)"

# ---------------------------------------------------------------- measuring
# The machine may be busy with other work (tests, other servers): rather than one long run
# per case, every case runs in ROUNDS short slices, interleaved and in alternating order
# (floor cached gzip 304, 304 gzip cached floor, floor cached, cached floor, ...), so a burst
# of background load hits all cases alike. Per row: req/s = all its requests / all its time;
# p50/p99 = median over its slices; "x floor" = median over rounds of (its req/s / the
# floor's req/s in the same round) - the ratio judged against the target; "CPU us/req" =
# CPU time the gunicorn workers used per request (not Redis's, PostgreSQL's or wrk's): it
# hardly depends on background load, so it checks the ratio on a busy machine.
declare -A REQS USECS P50S P99S ERRS TICKS
ROWS=()
CLK_TCK="$(getconf CLK_TCK)"

worker_ticks() {  # CPU time (user + system, in clock ticks) used so far by the gunicorn workers
    local total=0 pid ticks
    local wagtail_pid=""
    [[ -z "$WAGTAIL_UP" ]] || wagtail_pid="$(cat "$OUT/wagtail-gunicorn.pid" 2>/dev/null || true)"
    for pid in $(for parent in $GUNICORN_PID $MISS_PID $wagtail_pid; do ps -o pid= --ppid "$parent"; done); do
        ticks="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')" || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

run_slice() {  # $1 = row label, $2 = seconds, $3 = URL, rest = extra wrk args (headers)
    local label="$1" seconds="$2" url="$3"; shift 3
    local raw="$OUT/wrk-${label//[^a-z0-9]/_}.txt" line ticks_before
    ticks_before="$(worker_ticks)"
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${seconds}s" --timeout 5s --latency \
        -s "$ROOT/bench/report.lua" "$@" "$url" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed ($label)"; }
    line="$(grep '^BENCH ' "$raw")" || { cat "$raw" >&2; die "no result from wrk ($label)"; }
    TICKS[$label]=$(( ${TICKS[$label]:-0} + $(worker_ticks) - ticks_before ))
    field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
    [[ -n "${REQS[$label]:-}" ]] || { ROWS+=("$label"); REQS[$label]=0; USECS[$label]=0; ERRS[$label]=0; }
    REQS[$label]=$(( REQS[$label] + $(field requests) ))
    USECS[$label]=$(( USECS[$label] + $(field duration_us) ))
    ERRS[$label]=$(( ERRS[$label] + $(field err_connect) + $(field err_read) + $(field err_write) + $(field err_status) + $(field err_timeout) ))
    P50S[$label]+="$(field p50_us) "
    P99S[$label]+="$(field p99_us) "
    ROUND_RPS[$label]="$(field rps)"
}

cpu_us() { awk -v t="${TICKS[$1]}" -v hz="$CLK_TCK" -v n="${REQS[$1]}" 'BEGIN{printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0)}'; }
rps() { awk -v n="${REQS[$1]}" -v us="${USECS[$1]}" 'BEGIN{printf "%.1f", (us > 0 ? n / (us / 1e6) : 0)}'; }
median() {  # $1 = space-separated numbers, $2 = decimals, $3 = divisor
    tr ' ' '\n' <<<"$1" | grep . | sort -g \
        | awk -v d="${2:-1}" -v k="${3:-1}" '{v[NR]=$1} END{m = (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2); printf "%.*f", d, m/k}'
}
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }

declare -A RATIO SPREAD ROUND_RPS X_FLOOR X_BARE X_RENDER X_WAGTAIL
if [[ "$WAGTAIL" == 1 ]]; then
    log "Wagtail's page of the same shape on port $WAGTAIL_PORT (bench/wagtail.sh)"
    WAGTAIL_UP=1
    WAGTAIL_URL="http://127.0.0.1:${WAGTAIL_PORT}$(BENCH_DB="$DB_NAME" bash "$ROOT/bench/wagtail.sh" start "$WAGTAIL_PORT")" \
        || die "Wagtail's page did not come up (bench/wagtail.sh start); BENCH_WAGTAIL=0 runs without it"
fi
for mode in $MODES; do
    [[ "$mode" == redis || "$mode" == locmem ]] || die "unknown mode '$mode' (redis|locmem)"
    log "gunicorn: $WORKERS sync workers on $BASE, cache: $mode"
    start_gunicorn "$mode"

    # Sanity: the article is a 200 with an ETag, the floor returns the very same bytes.
    headers="$(curl -fsS -D - -o "$OUT/article.html" "$BASE$ARTICLE_PATH")"
    curl -fsS -o "$OUT/floor.html" "$BASE$FLOOR_PATH"
    cmp -s "$OUT/article.html" "$OUT/floor.html" \
        || die "the floor's bytes differ from the article's ($OUT/article.html vs $OUT/floor.html)"
    curl -fsS -o "$OUT/bare.html" "$BASE$BARE_PATH"
    cmp -s "$OUT/article.html" "$OUT/bare.html" \
        || die "the bare floor's bytes differ from the article's ($OUT/article.html vs $OUT/bare.html)"
    curl -fsS -o "$OUT/miss.html" "$MISS_BASE$ARTICLE_PATH"  # the first stores the page (no worker runs tasks)
    curl -fsS -o "$OUT/miss.html" "$MISS_BASE$ARTICLE_PATH"
    cmp -s "$OUT/article.html" "$OUT/miss.html" \
        || die "the miss server's bytes differ from the article's ($OUT/article.html vs $OUT/miss.html)"
    etag="$(tr -d '\r' <<<"$headers" | sed -nE 's/^[Ee][Tt][Aa][Gg]: *(.*)$/\1/p')"
    [[ -n "$etag" ]] || die "the article page has no ETag: not cacheable?"
    code="$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE$ARTICLE_PATH")"
    [[ "$code" == 304 ]] || die "If-None-Match: $etag answered $code, expected 304"
    log "page: $(wc -c <"$OUT/article.html") bytes, ETag $etag"

    # Warm-up: fills every worker's cache (locmem is per process) and connections to PG/Redis.
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 1s "$BASE$ARTICLE_PATH" >/dev/null 2>&1
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 1s "$BASE$FLOOR_PATH" >/dev/null 2>&1
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 1s "$BASE$BARE_PATH" >/dev/null 2>&1
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 1s "$MISS_BASE$ARTICLE_PATH" >/dev/null 2>&1

    main=("bare|$SLICE|$BASE$BARE_PATH" "floor|$SLICE|$BASE$FLOOR_PATH" "cached|$SLICE|$BASE$ARTICLE_PATH"
          "miss|$SLICE|$MISS_BASE$ARTICLE_PATH" "render|$SLICE|$BASE$RENDER_PATH")
    [[ -z "$WAGTAIL_UP" ]] || main+=("wagtail|$SLICE|$WAGTAIL_URL")
    extra=("cached+gzip|$EXTRA_SLICE|$BASE$ARTICLE_PATH|Accept-Encoding: gzip"
           "304|$EXTRA_SLICE|$BASE$ARTICLE_PATH|If-None-Match: $etag")
    for round in $(seq "$ROUNDS"); do
        order=("${main[@]}")
        (( round % 4 == 1 || round % 4 == 2 )) && order+=("${extra[@]}")  # extras in every other pair of rounds
        if (( round % 2 == 0 )); then  # alternate the order: F C G N, N G C F, F C, C F, ...
            reversed=(); for (( i = ${#order[@]} - 1; i >= 0; i-- )); do reversed+=("${order[i]}"); done
            order=("${reversed[@]}")
        fi
        for case in "${order[@]}"; do
            IFS='|' read -r name seconds url header <<<"$case"
            if [[ -n "$header" ]]; then
                run_slice "$mode $name" "$seconds" "$url" -H "$header"
            else
                run_slice "$mode $name" "$seconds" "$url"
            fi
        done
        # Each case against the floor of the same round: background load mostly cancels out.
        for case in "${order[@]}"; do
            name="$mode ${case%%|*}"
            X_FLOOR[$name]+="$(ratio_of "${ROUND_RPS[$name]}" "${ROUND_RPS[$mode floor]}") "
            X_BARE[$name]+="$(ratio_of "${ROUND_RPS[$name]}" "${ROUND_RPS[$mode bare]}") "
            X_RENDER[$name]+="$(ratio_of "${ROUND_RPS[$name]}" "${ROUND_RPS[$mode render]}") "
            [[ -z "$WAGTAIL_UP" ]] || X_WAGTAIL[$name]+="$(ratio_of "${ROUND_RPS[$name]}" "${ROUND_RPS[$mode wagtail]}") "
        done
        log "$mode round $round/$ROUNDS: floor ${ROUND_RPS[$mode floor]} req/s, cached ${ROUND_RPS[$mode cached]} req/s"
    done
    RATIO[$mode]="$(median "${X_FLOOR[$mode cached]}" 2)"
    SPREAD[$mode]="$(tr ' ' '\n' <<<"${X_FLOOR[$mode cached]}" | grep . | sort -n | awk 'NR==1{lo=$1} {hi=$1} END{print lo "-" hi}')"
    stop_gunicorn
done

# ---------------------------------------------------------------- report
echo
echo "Cached article page vs bare-Django floor - $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
extra_rounds=0; for r in $(seq "$ROUNDS"); do (( r % 4 == 1 || r % 4 == 2 )) && extra_rounds=$((extra_rounds + 1)); done
echo "$(nproc) CPUs, gunicorn $WORKERS sync workers, wrk -t$THREADS -c$CONNECTIONS, $ROUNDS interleaved rounds:" \
     "$((ROUNDS * SLICE))s per main row, $((extra_rounds * EXTRA_SLICE))s per extra row; total ${SECONDS}s"
echo "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %10s %9s %9s %7s %8s %7s %9s %12s\n' "case" "req/s" "p50 ms" "p99 ms" "errors" "x floor" "x bare" "x wagtail" "CPU us/req"
for row in "${ROWS[@]}"; do
    mode="${row%% *}"
    printf '%-18s %10s %9s %9s %7s %8s %7s %9s %12s\n' "$row" "$(rps "$row")" "$(median "${P50S[$row]}" 1 1000)" "$(median "${P99S[$row]}" 1 1000)" \
        "${ERRS[$row]}" "$(median "${X_FLOOR[$row]}" 2)" "$(median "${X_BARE[$row]}" 2)" "$(median "${X_WAGTAIL[$row]:-}" 2)" "$(cpu_us "$row")"
done
echo
status=0
spread() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{print lo "-" hi}'; }
judged() {  # $1 = label, $2 = ratio, $3 = target, $4 = per-round ratios, $5 = the CPU cross-check; sets status
    local verdict
    verdict="$(awk -v r="$2" -v t="$3" 'BEGIN{print (r >= t ? "PASS" : "FAIL")}')"
    echo "$1: $2  (per round $(spread "$4"))  target >= $3  $verdict   [by worker CPU per request: $5]"
    [[ "$verdict" == PASS ]] || status=1
}
for mode in $MODES; do
    first=""; [[ "$mode" == "${MODES%% *}" ]] && first=1
    bare_cpu="$(ratio_of "$(cpu_us "$mode bare")" "$(cpu_us "$mode cached")")"
    if [[ -n "$first" ]]; then
        judged "cached/bare ($mode cache)" "$(median "${X_BARE[$mode cached]}" 2)" "$TARGET" "${X_BARE[$mode cached]}" "$bare_cpu"
    else
        echo "cached/bare ($mode cache): $(median "${X_BARE[$mode cached]}" 2)  informational   [by worker CPU per request: $bare_cpu]"
    fi
    if [[ -n "$WAGTAIL_UP" ]]; then
        miss_cpu="$(ratio_of "$(cpu_us "$mode wagtail")" "$(cpu_us "$mode miss")")"
        if [[ -n "$first" ]]; then
            judged "miss/wagtail ($mode cache)" "$(median "${X_WAGTAIL[$mode miss]}" 2)" "$MISS_TARGET" "${X_WAGTAIL[$mode miss]}" "$miss_cpu"
        else
            echo "miss/wagtail ($mode cache): $(median "${X_WAGTAIL[$mode miss]}" 2)  informational   [by worker CPU per request: $miss_cpu]"
        fi
        echo "cached/wagtail ($mode cache): $(median "${X_WAGTAIL[$mode cached]}" 2)  informational" \
             "  [by worker CPU per request: $(ratio_of "$(cpu_us "$mode wagtail")" "$(cpu_us "$mode cached")")]"
    fi
    echo "cached/floor ($mode cache): ${RATIO[$mode]}  (per round ${SPREAD[$mode]})  informational: the floor runs the whole stack" \
         "  [by worker CPU per request: $(ratio_of "$(cpu_us "$mode floor")" "$(cpu_us "$mode cached")")]"
done
for mode in $MODES; do
    echo "miss/render ($mode cache): $(median "${X_RENDER[$mode miss]}" 2)  informational: a stored page read back vs a render" \
         "  [by worker CPU per request: $(ratio_of "$(cpu_us "$mode render")" "$(cpu_us "$mode miss")")]"
done
busy="$(awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN{print (l > n / 2 ? 1 : 0)}')"
[[ "$busy" == 0 ]] || echo "note: the machine was busy before the run (load $LOAD_BEFORE on $(nproc) CPUs): absolute figures are low and noisy; the ratio is the figure to read."
exit "$status"
