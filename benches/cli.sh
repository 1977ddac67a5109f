#!/usr/bin/env bash
# Times caseload's commands on demo practices of 250 and 100,000 clients (release build).
# Usage: benches/cli.sh [CLIENTS...]   (default: 250 100000). Prints one line per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/caseload
export CASELOAD_TODAY=2026-11-23
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT=%3R

measure() { # label, command...
    local label=$1; shift
    local best=999999
    for _ in 1 2 3; do
        local t
        t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
        best=$(python3 -c "print(min($best, $t))")
    done
    printf '%-46s %8.3f s (best of 3)\n' "$label" "$best"
}

for n in "${@:-250 100000}"; do
  for clients in $n; do
    db="$work/demo-$clients.db"
    start=$(date +%s.%N)
    "$bin" --db "$db" demo --clients "$clients" >/dev/null 2>&1
    end=$(date +%s.%N)
    printf '%-46s %8.3f s\n' "demo --clients $clients" "$(python3 -c "print($end - $start)")"
    printf '%-46s %8s\n' "database size ($clients clients)" "$(du -h "$db" | cut -f1)"
    measure "client list --json ($clients)" "$bin" --db "$db" client list --json
    for cmd in "flags --json" "report revenue --json" "report revenue --by client --json" "report value --json" "today --json"; do
        if "$bin" --db "$db" $cmd >/dev/null 2>&1; then
            measure "$cmd ($clients)" "$bin" --db "$db" $cmd
        fi
    done
  done
done
