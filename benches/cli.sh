#!/usr/bin/env bash
# Times caseload's commands on demo practices of 250 and 100,000 clients (release build).
# Usage: benches/cli.sh [CLIENTS...]   (default: 250 100000). Prints one line per measurement:
# the best wall time of 3 runs and the CPU time (user + system) of that run, which is the
# steadier figure on a shared machine. A command this caseload does not have is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/caseload
export CASELOAD_TODAY=2026-11-23
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT='%3R %3U %3S'

measure() { # label, command...
    local label=$1; shift
    local runs=()
    for _ in 1 2 3; do
        runs+=("$( { time "$@" >/dev/null 2>&1; } 2>&1 )")
    done
    printf '%s\n' "${runs[@]}" | python3 -c '
import sys
wall, user, system = min(tuple(map(float, l.split())) for l in sys.stdin if l.strip())
print("%-46s %8.3f s  (cpu %.3f s, best of 3)" % (sys.argv[1], wall, user + system))' "$label"
}

for clients in ${@:-250 100000}; do
    db="$work/demo-$clients.db"
    start=$(date +%s.%N)
    "$bin" --db "$db" demo --clients "$clients" >/dev/null 2>&1
    end=$(date +%s.%N)
    printf '%-46s %8.3f s\n' "demo --clients $clients" "$(python3 -c "print($end - $start)")"
    printf '%-46s %8s\n' "database size ($clients clients)" "$(du -h "$db" | cut -f1)"
    # A client in the middle of the panel, with a year's history.
    middle=$(( (clients + 1) / 2 ))
    while IFS= read -r cmd; do
        read -r -a args <<<"$cmd"
        if "$bin" --db "$db" "${args[@]}" >/dev/null 2>&1; then
            measure "$cmd ($clients)" "$bin" --db "$db" "${args[@]}"
        else
            printf '%-46s %8s\n' "$cmd ($clients)" "skipped (not available)"
        fi
    done <<EOF
client list --json
flags --json
report revenue --json
report revenue --by client --json
report value --json
client show $middle
client show $middle --json
today --json
EOF
done
