# Sourced by .ci/run (bash, set -euo pipefail, from the repository root): a throwaway PostgreSQL
# for the store tests, which read its URL from CALLSIM_TEST_PG (and the password from the
# PGPASSFILE exported here). tests/conftest.py sources this same file when the variable is not
# set and initdb exists, so a local run tests against a real server too.
#
# - The cluster lives in a folder under /tmp owned by a non-root OS user (postgres, or the
#   current user when not root), listens on a free loopback port only, and runs with fsync off
#   (it is thrown away). Its superuser `postgres` has a random password (scram-sha-256 over
#   TCP), written to a .pgpass file.
# - Idempotent: a server this hook started earlier that still answers is reused at once;
#   otherwise a new one is made. Debian's postgresql package is installed only if no initdb
#   is found. Stop it with: pg_ctl -D "$CALLSIM_TEST_PG_DATA" stop (CI machines are discarded).

_callsim_pg_start() {
    local state="${CALLSIM_PG_STATE:-/tmp/callsim-pg-$(id -u)}"
    if [ -f "$state/env" ]; then
        # shellcheck source=/dev/null
        . "$state/env"
        if "$CALLSIM_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$CALLSIM_TEST_PG_PORT" 2>/dev/null; then
            echo "ci: PostgreSQL already running for the tests: $CALLSIM_TEST_PG"
            return 0
        fi
    fi
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
            echo "ci: no PostgreSQL (initdb) here and cannot install it: server tests will skip"
            return 0
        fi
        echo "ci: installing Debian's postgresql package"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q postgresql >/dev/null ||
            { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
        bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    local runas=()
    local owner
    owner="$(id -un)"
    if [ "$(id -u)" = 0 ]; then
        owner=postgres
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent postgres
        runas=(runuser -u postgres --)
    fi
    rm -rf "$state"
    mkdir -p "$state"
    local port password
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    printf '%s\n' "$password" >"$state/pwfile"
    chown -R "$owner" "$state"
    chmod 700 "$state"
    "${runas[@]}" "$bin/initdb" -D "$state/data" -U postgres --pwfile="$state/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$state/initdb.log"
    rm -f "$state/pwfile"
    # in the cluster's own configuration, so that a plain `pg_ctl start` brings it back as it was
    cat >>"$state/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$state'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
CONF
    "${runas[@]}" "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 start >/dev/null
    "${runas[@]}" "$bin/createdb" -h "$state" -p "$port" -U postgres callsim_test
    printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$password" >"$state/pgpass"
    chmod 600 "$state/pgpass"
    cat >"$state/env" <<ENV
export CALLSIM_PG_BIN="$bin"
export CALLSIM_TEST_PG_PORT="$port"
export CALLSIM_TEST_PG_DATA="$state/data"
export CALLSIM_TEST_PG="postgresql://postgres@127.0.0.1:$port/callsim_test"
export PGPASSFILE="$state/pgpass"
ENV
    # shellcheck source=/dev/null
    . "$state/env"
    echo "ci: PostgreSQL started for the tests: $CALLSIM_TEST_PG"
}

if [ -z "${CALLSIM_TEST_PG:-}" ]; then
    _callsim_pg_start
fi
unset -f _callsim_pg_start
