#!/usr/bin/env bash
# shellcheck disable=SC2317 # (functions called from traps are not unreachable)
# Runs COMMAND... against a throwaway PostgreSQL cluster, then stops and deletes the cluster.
#
#   scripts/with-postgres.sh cargo test --all-targets
#
# The command gets TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres (trust auth,
# loopback only); tests create their own databases in it. The one exception to trust is the
# role `casekeep_pw`, which must give its password (for wrong-password tests). The exit status
# is the command's.
# The cluster never outlives this script: it is removed on success, failure and interrupt.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

# Server binaries: PATH first, else Debian's versioned directory (newest version wins).
find_pg_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    local d
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}
if ! PG_BIN=$(find_pg_bin); then
    echo "with-postgres: initdb/pg_ctl not found; install PostgreSQL (apt-get install postgresql)" >&2
    exit 1
fi

# PostgreSQL refuses to run as root: as root, run the server tools as the postgres user.
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' user to run the server as" >&2
        exit 1
    fi
    RUNUSER=$(command -v runuser || echo /usr/sbin/runuser)
    as_pg() { "$RUNUSER" -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

# A free loopback port: chosen by the kernel, or else a random one that nothing listens on.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        if [ -z "$(ss -Hltn "sport = :$p")" ]; then
            echo "$p"
            return
        fi
    done
    echo "with-postgres: no free port found" >&2
    return 1
}
PORT=$(free_port)

# A fresh directory that the server's user can reach (mktemp makes it 0700 and ours). As root
# it goes under /tmp, which the postgres user can reach; otherwise under TMPDIR as usual.
if [ "$(id -u)" -eq 0 ]; then
    BASE=$(mktemp -d /tmp/casekeep-pg.XXXXXX)
else
    BASE=$(mktemp -d "${TMPDIR:-/tmp}/casekeep-pg.XXXXXX")
fi
chmod 755 "$BASE"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$BASE"
fi
DATA="$BASE/data"
LOG="$BASE/server.log"

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$BASE"
    exit "$status"
}
trap cleanup EXIT
# An interrupt still runs the clean-up, with the conventional 128+signal status.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >"$BASE/initdb.log" 2>&1 || {
    cat "$BASE/initdb.log" >&2
    echo "with-postgres: initdb failed" >&2
    exit 1
}
# Trust, except for one role that must give its password (scram-sha-256), so that tests can
# check how a wrong database password is reported: they create `casekeep_pw` themselves.
as_pg tee "$DATA/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER         ADDRESS        METHOD
local   all       all                         trust
host    all       casekeep_pw  127.0.0.1/32   scram-sha-256
host    all       all          127.0.0.1/32   trust
host    all       all          ::1/128        trust
EOF
# fsync off: the data is thrown away. Many connections: every test opens its own pool.
if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c max_connections=200" \
    start >/dev/null; then
    cat "$LOG" >&2 || true
    echo "with-postgres: the server did not start" >&2
    exit 1
fi

echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT, data in $DATA (removed afterwards)"
export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres"

# Not exec: the clean-up must run after the command. It runs in the background (stdin kept) so
# that a TERM/HUP sent to this script alone is passed on at once instead of after it finishes.
"$@" <&0 &
child=$!
forward() {
    kill "-$1" "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
    exit "$2"
}
trap 'forward INT 130' INT
trap 'forward TERM 143' TERM
trap 'forward HUP 129' HUP
status=0
wait "$child" || status=$?
exit "$status"
