#!/usr/bin/env bash
# shellcheck disable=SC2317 # (functions called from traps are not unreachable)
# Casekeep load benchmark: for SQLite, then PostgreSQL, a fresh instance with generated cases,
# `casekeep serve`, and wrk against six scenarios; the numbers go to bench/results/.
#
#   bench/run.sh            (or `make bench`, which builds the release binary first)
#
# Settings (environment; defaults in brackets):
#   BENCH_BIN          the casekeep binary                [target/release/casekeep]
#   BENCH_BACKENDS     backends, in order                 ["sqlite postgres"]
#   BENCH_CASES        synthetic cases to generate        [100000]
#   BENCH_DURATION     seconds measured per scenario      [15]
#   BENCH_WARMUP       seconds of warm-up per scenario    [3]
#   BENCH_CONNECTIONS  wrk connections                    [32]
#   BENCH_THREADS      wrk threads                        [2]
#   BENCH_IDS          case ids gathered for e and f      [2000]
#   BENCH_POOL_SIZE    database pool size                 [16]
#   BENCH_KEEP=1       keep the raw work directory (server logs, wrk output) and print its path
#
# Only 127.0.0.1 is ever contacted. No server, database cluster or data directory outlives the
# script: they are removed on success, failure and interrupt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"

# Casekeep rejects unknown configuration keys, and any CASEKEEP_* variable is one: the bench
# configures its instances with its own variables only.
for v in $(compgen -e); do
    case "$v" in CASEKEEP_*) unset "$v" ;; esac
done

BIN=${BENCH_BIN:-$ROOT/target/release/casekeep}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
CASES=${BENCH_CASES:-100000}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
IDS=${BENCH_IDS:-2000}
POOL_SIZE=${BENCH_POOL_SIZE:-16}
export BIN CASES DURATION WARMUP CONNECTIONS THREADS IDS POOL_SIZE

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# A free loopback port chosen by the kernel.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# Resident memory of a process in KiB (VmRSS), or empty when it is gone.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

# Whether a process is running (a child that has exited stays a zombie until waited for, and
# `kill -0` still succeeds on it).
alive() { [ -n "$1" ] && [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# key=value lines for report.py; values are one line each.
record() { printf '%s=%s\n' "$2" "$3" >>"$1"; }

# Runs a command in the background and waits for it, so that a TERM reaches our trap at once
# instead of after the command; the pid is kept for the clean-up.
CHILD=""
run_child() {
    "$@" &
    CHILD=$!
    local status=0
    wait "$CHILD" || status=$?
    CHILD=""
    return "$status"
}

# ------------------------------------------------------------------------------------------------
# One backend, in its own process: `run.sh --backend sqlite|postgres RAWDIR`. For PostgreSQL it runs
# inside scripts/with-postgres.sh, which provides TEST_POSTGRES_URL and removes the cluster after.
# ------------------------------------------------------------------------------------------------
backend_main() {
    local backend=$1
    RAW=$2
    local out="$RAW/$backend"
    mkdir -p "$out"
    local info="$out/info.env"
    : >"$info"
    record "$info" status started

    # Globals: the EXIT trap runs after this function has returned.
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/casekeep-bench.XXXXXX")
    SERVER_PID=""
    cleanup_backend() {
        local status=$?
        trap - EXIT INT TERM HUP
        if [ -n "$CHILD" ]; then
            kill -TERM "$CHILD" 2>/dev/null || true
            wait "$CHILD" 2>/dev/null || true
        fi
        if [ -n "$SERVER_PID" ] && alive "$SERVER_PID"; then
            kill -TERM "$SERVER_PID" 2>/dev/null || true
            for _ in $(seq 100); do
                alive "$SERVER_PID" || break
                sleep 0.1
            done
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
        fi
        rm -rf "$WORK"
        exit "$status"
    }
    trap cleanup_backend EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    local data="$WORK/data" db_url
    mkdir -p "$data"
    case "$backend" in
        sqlite)
            db_url="sqlite://$data/casekeep.db"
            ;;
        postgres)
            [ -n "${TEST_POSTGRES_URL:-}" ] || die "postgres backend needs TEST_POSTGRES_URL (run through scripts/with-postgres.sh)"
            psql -X -q -v ON_ERROR_STOP=1 "$TEST_POSTGRES_URL" -c 'CREATE DATABASE casekeep_bench' >/dev/null
            db_url="${TEST_POSTGRES_URL%/*}/casekeep_bench"
            record "$info" postgres_version "$(psql -X -At "$TEST_POSTGRES_URL" -c 'SHOW server_version')"
            ;;
        *) die "unknown backend $backend" ;;
    esac

    local port
    port=$(free_port)
    export CASEKEEP_INSTANCE=bench
    export CASEKEEP_STORAGE__DATA_DIR="$data"
    export CASEKEEP_DATABASE__URL="$db_url"
    export CASEKEEP_SERVER__LISTEN="127.0.0.1:$port"
    export CASEKEEP_LOG__LEVEL=warn
    export CASEKEEP_DATABASE__POOL_SIZE="$POOL_SIZE"
    local base="http://127.0.0.1:$port"

    db_bytes() {
        case "$backend" in
            sqlite)
                local total=0 f
                for f in "$data/casekeep.db" "$data/casekeep.db-wal" "$data/casekeep.db-shm"; do
                    [ -f "$f" ] && total=$((total + $(stat -c %s "$f")))
                done
                echo "$total"
                ;;
            postgres)
                psql -X -At "$TEST_POSTGRES_URL" -c "SELECT pg_database_size('casekeep_bench')"
                ;;
        esac
    }

    # The bench user: 12+ characters, not containing the user name.
    local user=loadtest pw
    pw="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    log "$backend: creating user $user"
    printf '%s\n' "$pw" | "$BIN" user create --username "$user" --role superuser --password-stdin \
        >"$out/user-create.log" 2>&1 || {
        cat "$out/user-create.log" >&2
        die "$backend: user create failed"
    }

    log "$backend: generating $CASES cases"
    local t0 t1
    t0=$(now)
    run_child "$BIN" demo generate --cases "$CASES" --owner "$user" --seed 42 \
        >"$out/generate.out" 2> >(tee "$out/generate.log" | sed -u 's/^/    /' >&2) || {
        tail -n 20 "$out/generate.log" >&2
        die "$backend: demo generate failed"
    }
    t1=$(now)
    record "$info" generate_seconds "$(elapsed "$t0" "$t1")"
    record "$info" generate_output "$(tr '\n' ' ' <"$out/generate.out")"
    log "$backend: generated in $(elapsed "$t0" "$t1") s"
    if [ "$backend" = postgres ]; then
        # A bulk load leaves autovacuum, analyze and a checkpoint of the new data to run in the
        # background, which would otherwise overlap the first scenarios. Do that work now (what
        # autovacuum would do anyway), so every scenario meets a settled database. SQLite has no
        # background work: the generator's connection checkpoints the WAL when it closes.
        log "$backend: VACUUM (ANALYZE) and CHECKPOINT before the scenarios"
        t0=$(now)
        psql -X -q -v ON_ERROR_STOP=1 "$db_url" -c 'VACUUM (ANALYZE)' >/dev/null
        psql -X -q -v ON_ERROR_STOP=1 "$db_url" -c 'CHECKPOINT' >/dev/null
        t1=$(now)
        record "$info" settle_seconds "$(elapsed "$t0" "$t1")"
    fi
    record "$info" db_bytes_after_generate "$(db_bytes)"
    log "$backend: database $(db_bytes) bytes"

    log "$backend: starting casekeep serve on $base"
    "$BIN" serve >"$out/server.out" 2>"$out/server.log" &
    SERVER_PID=$!
    t0=$(now)
    local ready=""
    for _ in $(seq 1200); do
        if grep -q "is listening on" "$out/server.out" 2>/dev/null; then
            ready=1
            break
        fi
        alive "$SERVER_PID" || break
        sleep 0.1
    done
    if [ -z "$ready" ]; then
        tail -n 20 "$out/server.out" "$out/server.log" >&2 || true
        die "$backend: the server did not start"
    fi
    t1=$(now)
    record "$info" server_start_seconds "$(elapsed "$t0" "$t1")"
    record "$info" rss_kib_idle "$(rss_kib "$SERVER_PID")"

    # Bearer token. The password is hex, so it needs no JSON escaping.
    local token
    token=$(curl -sS --fail-with-body -m 30 -X POST "$base/api/v2/tokens" \
        -H 'Content-Type: application/json' \
        -d "{\"user\":{\"user_name\":\"$user\",\"password\":\"$pw\"}}" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
        die "$backend: could not get a token"

    # Case ids for the by-id and PATCH scenarios.
    local ids_file="$out/ids.txt" page=1
    : >"$ids_file"
    while [ "$(wc -l <"$ids_file")" -lt "$IDS" ]; do
        local before
        before=$(wc -l <"$ids_file")
        curl -sS --fail-with-body -m 60 -H "Authorization: Bearer $token" \
            "$base/api/v2/cases?per=1000&page=$page&fields=short" |
            python3 -c 'import json, sys; [print(r["id"]) for r in json.load(sys.stdin)["data"]]' \
                >>"$ids_file" || die "$backend: could not list cases"
        [ "$(wc -l <"$ids_file")" -gt "$before" ] || break
        page=$((page + 1))
    done
    head -n "$IDS" "$ids_file" >"$ids_file.tmp" && mv "$ids_file.tmp" "$ids_file"
    record "$info" ids "$(wc -l <"$ids_file")"
    [ -s "$ids_file" ] || die "$backend: no cases to use for the by-id scenarios"

    # How many cases each search text finds (context for the search numbers).
    local names_file="$BENCH_DIR/wrk/names.txt"
    : >"$out/search-hits.tsv"
    while IFS= read -r name; do
        case "$name" in "" | "#"*) continue ;; esac
        local enc total
        enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$name")
        total=$(curl -sS -m 60 -H "Authorization: Bearer $token" "$base/api/v2/cases?per=1&query=$enc" |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["total"])' 2>/dev/null || echo "error")
        printf '%s\t%s\n' "$name" "$total" >>"$out/search-hits.tsv"
    done <"$names_file"

    export BENCH_WRK_DIR="$BENCH_DIR/wrk" BENCH_IDS_FILE="$ids_file" BENCH_NAMES_FILE="$names_file"
    # key | name | script | path | authenticated
    local scenarios=(
        "a|health|fixed.lua|/health|no"
        "b|list page 1|fixed.lua|/api/v2/cases?status=open&order_by=registration_date&order=desc&page=1|yes"
        "c|list page 2000|fixed.lua|/api/v2/cases?status=open&order_by=registration_date&order=desc&page=2000|yes"
        "d|name search|search.lua|/api/v2/cases?query=<name>|yes"
        "e|case by id|get_case.lua|/api/v2/cases/<id>|yes"
        "f|update case (PATCH)|patch_case.lua|/api/v2/cases/<id>|yes"
    )
    local s key name script path auth url lines_before lines_after
    for s in "${scenarios[@]}"; do
        IFS='|' read -r key name script path auth <<<"$s"
        if [ "$auth" = yes ]; then export BENCH_TOKEN="$token"; else export BENCH_TOKEN=""; fi
        case "$path" in *"<"*) url="$base/" ;; *) url="$base$path" ;; esac
        {
            echo "name=$name"
            echo "path=$path"
        } >"$out/scenario-$key.env"
        if ! alive "$SERVER_PID"; then
            echo "skipped=the server was no longer running" >>"$out/scenario-$key.env"
            log "$backend: $key ($name) skipped: the server is gone"
            continue
        fi
        if [ "$auth" = yes ] && [ "$key" != f ]; then
            # One request right after a case changed: what is remembered between requests
            # (list totals and ids) is then worked out afresh, as after any edit on a live
            # instance. The scenario itself repeats requests with nothing changing meanwhile.
            local cold_url="$base$path" first_name
            case "$path" in
            *"<name>"*)
                first_name=$(grep -v '^#' "$names_file" | grep -m1 .)
                cold_url="$base/api/v2/cases?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$first_name")"
                ;;
            *"<id>"*) cold_url="$base/api/v2/cases/$(sed -n 2p "$ids_file")" ;;
            esac
            curl -sS -o /dev/null -m 60 -X PATCH -H "Authorization: Bearer $token" \
                -H 'Content-Type: application/json' \
                -d "{\"data\":{\"name_nickname\":\"bench $key $(date +%s%N)\"}}" \
                "$base/api/v2/cases/$(head -n 1 "$ids_file")" || true
            echo "after_change_ms=$(curl -sS -o /dev/null -m 60 -w '%{time_total}' \
                -H "Authorization: Bearer $token" "$cold_url" | awk '{printf "%.2f", $1 * 1000}')" \
                >>"$out/scenario-$key.env"
        fi
        log "$backend: $key ($name): ${WARMUP} s warm-up, ${DURATION} s measured"
        if [ "$WARMUP" -gt 0 ]; then
            run_child wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 30s \
                -s "$BENCH_DIR/wrk/$script" "$url" >"$out/scenario-$key.warmup" 2>&1 || true
        fi
        lines_before=$(wc -l <"$out/server.log")
        local status=0
        run_child wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
            -s "$BENCH_DIR/wrk/$script" "$url" >"$out/scenario-$key.wrk" 2>&1 || status=$?
        lines_after=$(wc -l <"$out/server.log")
        {
            echo "wrk_status=$status"
            echo "rss_kib_after=$(rss_kib "$SERVER_PID")"
            echo "server_log_lines=$((lines_after - lines_before))"
        } >>"$out/scenario-$key.env"
        sed -n "$((lines_before + 1)),$((lines_after))p" "$out/server.log" | head -n 20 \
            >"$out/scenario-$key.serverlog"
        grep '^BENCH_RESULT' "$out/scenario-$key.wrk" | sed 's/^BENCH_RESULT //' \
            >"$out/scenario-$key.json" || true
        grep -E '^ *99%|Requests/sec' "$out/scenario-$key.wrk" | sed 's/^/    /' >&2 || true
    done

    record "$info" rss_kib_peak "$(hwm_kib "$SERVER_PID")"
    record "$info" db_bytes_after_run "$(db_bytes)"
    if [ "$backend" = sqlite ]; then
        record "$info" sqlite_wal_bytes_after_run "$(stat -c %s "$data/casekeep.db-wal" 2>/dev/null || echo 0)"
    fi

    local server_status=0 failed=""
    if ! alive "$SERVER_PID"; then
        wait "$SERVER_PID" || server_status=$?
        record "$info" server_exit "exited by itself during the scenarios, status $server_status"
        log "$backend: the server had exited by itself (status $server_status)"
        failed=1
    else
        log "$backend: stopping the server (SIGTERM)"
        kill -TERM "$SERVER_PID"
        local stopped=""
        for _ in $(seq 300); do
            if ! alive "$SERVER_PID"; then
                stopped=1
                break
            fi
            sleep 0.1
        done
        if [ -n "$stopped" ]; then
            wait "$SERVER_PID" || server_status=$?
            record "$info" server_exit "$server_status"
        else
            record "$info" server_exit "did not stop within 30 s of SIGTERM"
            failed=1
        fi
    fi
    SERVER_PID=""
    record "$info" db_bytes_after_stop "$(db_bytes)"
    record "$info" server_log_lines_total "$(wc -l <"$out/server.log")"
    if [ -n "$failed" ]; then
        record "$info" status failed
        exit 1
    fi
    record "$info" status ok
}

# ------------------------------------------------------------------------------------------------
# The whole run.
# ------------------------------------------------------------------------------------------------
main() {
    [ -x "$BIN" ] || die "no binary at $BIN; build it with \`cargo build --release\` (or run \`make bench\`)"
    command -v python3 >/dev/null || die "python3 is needed"
    command -v curl >/dev/null || die "curl is needed"
    if ! command -v wrk >/dev/null; then
        log "installing wrk (Debian package)"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -q >/dev/null
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
    fi
    case " $BACKENDS " in
        *" postgres "*) command -v psql >/dev/null || die "psql is needed for the PostgreSQL run (apt-get install postgresql)" ;;
    esac

    # Global: the EXIT trap runs after this function has returned.
    RAW=$(mktemp -d "${TMPDIR:-/tmp}/casekeep-bench-raw.XXXXXX")
    cleanup_main() {
        local status=$?
        trap - EXIT INT TERM HUP
        if [ -n "$CHILD" ]; then
            kill -TERM "$CHILD" 2>/dev/null || true
            wait "$CHILD" 2>/dev/null || true
        fi
        if [ "${BENCH_KEEP:-0}" = 1 ]; then
            log "raw results kept in $RAW"
        else
            rm -rf "$RAW"
        fi
        exit "$status"
    }
    trap cleanup_main EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    local started
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    python3 "$BENCH_DIR/report.py" machine --root "$ROOT" --bin "$BIN" --out "$RAW/machine.json"
    {
        echo "started=$started"
        echo "backends=$BACKENDS"
        echo "cases=$CASES"
        echo "duration_s=$DURATION"
        echo "warmup_s=$WARMUP"
        echo "connections=$CONNECTIONS"
        echo "threads=$THREADS"
        echo "ids=$IDS"
        echo "pool_size=$POOL_SIZE"
    } >"$RAW/settings.env"

    local failed="" b t0
    for b in $BACKENDS; do
        log "=== $b ==="
        t0=$(now)
        local status=0
        case "$b" in
            sqlite) run_child bash "$BENCH_DIR/run.sh" --backend sqlite "$RAW" || status=$? ;;
            postgres) run_child "$ROOT/scripts/with-postgres.sh" bash "$BENCH_DIR/run.sh" --backend postgres "$RAW" || status=$? ;;
            *) die "unknown backend $b (sqlite or postgres)" ;;
        esac
        mkdir -p "$RAW/$b"
        echo "backend_seconds=$(elapsed "$t0" "$(now)")" >>"$RAW/$b/info.env"
        echo "exit_status=$status" >>"$RAW/$b/info.env"
        if [ "$status" -ne 0 ]; then
            log "$b: FAILED (exit status $status)"
            failed="$failed $b"
        fi
    done
    echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$RAW/settings.env"

    python3 "$BENCH_DIR/report.py" render --raw "$RAW" --results "$BENCH_DIR/results"
    if [ -n "$failed" ]; then
        log "failed backends:$failed"
        exit 1
    fi
}

if [ "${1:-}" = "--backend" ]; then
    [ "$#" -eq 3 ] || die "usage: $0 --backend sqlite|postgres RAWDIR"
    backend_main "$2" "$3"
else
    main "$@"
fi
