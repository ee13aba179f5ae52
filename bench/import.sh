#!/usr/bin/env bash
# Time and peak memory of importing a 10,000-entry reference file, as whole-process figures.
#
#   bash bench/import.sh
#
# Builds a throw-away PostgreSQL database (editorial_bench_import), migrates it and
# seeds the demo (for the importing editor), writes synthetic files with
# bench/make_reference_file.py, and runs `manage.py import_references` under
# /usr/bin/time -v for each case:
#   create    a RIS file of N new references
#   same-*    the same references again as RIS, BibTeX, MEDLINE and CSL-JSON (all unchanged)
#   update    a revised RIS file that changes every reference, taking the file's values
#             (`--take-file-values all`: by default an import keeps the library's differing values)
# Prints wall time and maximum resident set size per case, PASS when every case is
# within BENCH_IMPORT_MAX_SECONDS and BENCH_IMPORT_MAX_MB.
# Exit status: 0 on PASS, 1 on FAIL, 2 when the bench itself could not run.
#
# Knobs (environment): BENCH_IMPORT_ENTRIES (10000), BENCH_IMPORT_MAX_SECONDS (60),
# BENCH_IMPORT_MAX_MB (500), BENCH_IMPORT_DB (editorial_bench_import),
# PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ENTRIES="${BENCH_IMPORT_ENTRIES:-10000}"
MAX_SECONDS="${BENCH_IMPORT_MAX_SECONDS:-60}"
MAX_MB="${BENCH_IMPORT_MAX_MB:-500}"
DB_NAME="${BENCH_IMPORT_DB:-editorial_bench_import}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/.out/import"

die() { echo "bench: $*" >&2; exit 2; }
[[ -x "$PY" ]] || die "no .venv: run 'make test' or 'pip install -r requirements.txt' first"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
for tool in dropdb createdb; do command -v "$tool" >/dev/null || die "'$tool' is missing (apt-get install postgresql-client)"; done

export DEBUG=false SECRET_KEY="bench-only-secret-key" ALLOWED_HOSTS=localhost SITE_URL=http://localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB_NAME"
mkdir -p "$OUT"
dropdb --if-exists "$DB_NAME" && createdb "$DB_NAME"
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py seed_demo >/dev/null

echo "== writing $ENTRIES-entry files" >&2
"$PY" bench/make_reference_file.py "$ENTRIES" ris > "$OUT/refs.ris"
"$PY" bench/make_reference_file.py "$ENTRIES" bibtex > "$OUT/refs.bib"
"$PY" bench/make_reference_file.py "$ENTRIES" medline > "$OUT/refs.nbib"
"$PY" bench/make_reference_file.py "$ENTRIES" csl-json > "$OUT/refs.json"
"$PY" bench/make_reference_file.py "$ENTRIES" ris --revised > "$OUT/refs-revised.ris"

status=0
printf '%-14s %10s %10s %9s %9s  %s\n' case "file MB" entries seconds "peak MB" verdict
run_case() {
    local name="$1" file="$2" expect="$3"
    shift 3
    /usr/bin/time -v -o "$OUT/$name.time" "$PY" manage.py import_references "$file" --as editor "$@" \
        > "$OUT/$name.log" 2> "$OUT/$name.err" || { cat "$OUT/$name.err" >&2; die "import $name failed"; }
    grep -q "^$expect$" "$OUT/$name.log" || { cat "$OUT/$name.log" >&2; die "import $name did not report '$expect'"; }
    local wall peak seconds mb verdict=PASS
    wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/$name.time")"
    peak="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$name.time")"
    seconds="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }' <<<"$wall")"
    mb="$(awk '{ printf "%.0f", $1 / 1024 }' <<<"$peak")"
    if awk -v s="$seconds" -v m="$mb" -v S="$MAX_SECONDS" -v M="$MAX_MB" 'BEGIN { exit !(s > S || m > M) }'; then
        verdict=FAIL; status=1
    fi
    printf '%-14s %10.1f %10s %9s %9s  %s\n' "$name" "$(stat -c %s "$file" | awk '{ print $1 / 1048576 }')" \
        "$ENTRIES" "$seconds" "$mb" "$verdict"
}
run_case create "$OUT/refs.ris" "New references: $ENTRIES"
run_case same-ris "$OUT/refs.ris" "Unchanged: $ENTRIES"
run_case same-bibtex "$OUT/refs.bib" "Unchanged: $ENTRIES"
run_case same-medline "$OUT/refs.nbib" "Unchanged: $ENTRIES"
run_case same-csl-json "$OUT/refs.json" "Unchanged: $ENTRIES"
run_case update "$OUT/refs-revised.ris" "Updated references: $ENTRIES" --take-file-values all
echo "limits: ${MAX_SECONDS} s and ${MAX_MB} MB per import (whole process: Python start-up, Django, parse, plan, write)" >&2
dropdb --if-exists "$DB_NAME"
exit "$status"
