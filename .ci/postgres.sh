# Sourced by .ci/run: a throwaway PostgreSQL cluster for the PostgreSQL tests (issue 20).
#
# Finds the server binaries of PostgreSQL 15 or later (Debian's `postgresql` package, installed
# when missing), makes a cluster in a temporary folder owned by the `postgres` user (initdb and
# postgres refuse to run as root), starts it on a random free loopback port with trust auth,
# its socket in that folder and fsync off (nothing in it outlives the run), and exports
# CASELOAD_TEST_POSTGRES as its URL. A trap stops it and removes the folder when the CI script
# exits. When no cluster can be started it prints one `note:` line and leaves the variable
# unset; the PostgreSQL tests then fail under CI=true, so a broken setup is never silent.

# The newest bin folder holding initdb, pg_ctl and postgres of version 15 or later.
caseload_pg_bindir() {
    local dir major
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        major=${dir#/usr/lib/postgresql/}
        major=${major%%/*}
        major=${major%%.*}
        if [[ $major =~ ^[0-9]+$ ]] && ((major >= 15)) &&
            [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# Runs a server command as the cluster's owner (the `postgres` user when CI runs as root),
# bounded in time.
caseload_pg_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        timeout 120 runuser -u postgres -- "$@"
    else
        timeout 120 "$@"
    fi
}

# A loopback TCP port nothing listens on (the server's own bind is the final check).
caseload_pg_free_port() {
    local port tries
    for tries in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

caseload_pg_stop() {
    if [[ -n ${CASELOAD_PG_DIR:-} && -d $CASELOAD_PG_DIR ]]; then
        if [[ -f $CASELOAD_PG_DIR/data/postmaster.pid ]]; then
            caseload_pg_as_owner "$CASELOAD_PG_BIN/pg_ctl" -D "$CASELOAD_PG_DIR/data" \
                -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$CASELOAD_PG_DIR"
    fi
}

# Makes and starts the cluster; returns non-zero (with the reason in CASELOAD_PG_WHY) if it
# cannot. Runs under `||`, so every step checks its own status.
caseload_pg_start() {
    local port attempt
    CASELOAD_PG_BIN=$(caseload_pg_bindir) || {
        CASELOAD_PG_WHY="no PostgreSQL 15+ server binaries under /usr/lib/postgresql"
        return 1
    }
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        CASELOAD_PG_WHY="running as root and there is no postgres user to own the cluster"
        return 1
    fi
    # As root the folder is made under /tmp, which the postgres user can reach (TMPDIR may not be).
    local parent=${TMPDIR:-/tmp}
    [[ $(id -u) -eq 0 ]] && parent=/tmp
    CASELOAD_PG_DIR=$(mktemp -d "$parent/caseload-pg.XXXXXX") || {
        CASELOAD_PG_WHY="mktemp -d failed"
        return 1
    }
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$CASELOAD_PG_DIR" || {
            CASELOAD_PG_WHY="could not give $CASELOAD_PG_DIR to the postgres user"
            return 1
        }
    fi
    caseload_pg_as_owner "$CASELOAD_PG_BIN/initdb" -D "$CASELOAD_PG_DIR/data" -A trust \
        -U postgres -E UTF8 --locale=C.UTF-8 >"$CASELOAD_PG_DIR/initdb.log" 2>&1 || {
        CASELOAD_PG_WHY="initdb failed ($(tail -n 1 "$CASELOAD_PG_DIR/initdb.log"))"
        return 1
    }
    # Another process may take the chosen port between the check and the bind: try a few.
    for attempt in 1 2 3; do
        port=$(caseload_pg_free_port) || break
        if caseload_pg_start_on "$port"; then
            export CASELOAD_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
            return 0
        fi
    done
    CASELOAD_PG_WHY="the server did not start ($({ grep -m 1 -E 'FATAL|PANIC' \
        "$CASELOAD_PG_DIR/server.log" || tail -n 1 "$CASELOAD_PG_DIR/server.log"; } 2>/dev/null))"
    return 1
}

# Starts the server on port $1 and waits until it accepts connections.
caseload_pg_start_on() {
    caseload_pg_as_owner "$CASELOAD_PG_BIN/pg_ctl" -D "$CASELOAD_PG_DIR/data" -w -t 30 \
        -l "$CASELOAD_PG_DIR/server.log" \
        -o "-p $1 -k $CASELOAD_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
        start >/dev/null 2>&1
}

# Debian's server package, when no PostgreSQL 15+ server is installed (as for chromium in .ci/run).
# Its own "main" cluster is not wanted: postgresql-common reads createcluster.d before it makes one.
if ! caseload_pg_bindir >/dev/null && command -v apt-get >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && mkdir -p /etc/postgresql-common/createcluster.d 2>/dev/null; then
        echo "create_main_cluster = false" 2>/dev/null \
            >/etc/postgresql-common/createcluster.d/caseload-ci.conf || true
    fi
    install_postgres() { timeout 900 apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; }
    install_postgres || { timeout 600 apt-get update >/dev/null 2>&1 && install_postgres; } ||
        echo "note: postgresql could not be installed; the PostgreSQL tests will fail under CI"
fi

# A server given from outside (a CI service, say) is used as it is.
if [[ -n ${CASELOAD_TEST_POSTGRES:-} ]]; then
    echo "PostgreSQL for the tests: the server CASELOAD_TEST_POSTGRES names"
else
    trap caseload_pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if caseload_pg_start; then
        echo "PostgreSQL $("$CASELOAD_PG_BIN/postgres" --version | awk '{print $3}') for the tests at $CASELOAD_TEST_POSTGRES"
    else
        echo "note: no PostgreSQL cluster for the tests: ${CASELOAD_PG_WHY:-unknown reason}"
        caseload_pg_stop
        unset CASELOAD_TEST_POSTGRES
    fi
fi
