#!/usr/bin/env bash
# Power-loss rounds: the release build of the broker runs its data directory on LazyFS, a FUSE file
# system that keeps unsynced writes in its own cache and drops them on `lazyfs::clear-cache`, the way a
# machine losing power does. Each round (Tests/Compat/python/powerloss.py): a fresh data directory on
# the mount, `monolog-supervisor start`, a 3-partition topic; a confluent-kafka idempotent acks=all
# producer, an HTTP producer and a consumer group member committing as it reads, all at full speed, and a
# transactional producer committing every 100 ms (aborting now and then) on a second topic, each
# recording what was acknowledged; at a random moment SIGKILL of the supervisor and every service, and
# once all are gone the clear; then a restart on the same directory, and every acknowledged message must
# be at its offset, none twice, every acknowledged offset commit present, every acknowledged transaction
# whole to read_committed and aborted ones invisible, the open one all or nothing, `PRAGMA
# integrity_check` ok.
#
# Two negative controls run too, and the script fails if either loses nothing (the simulation would not
# be working): the same number of rounds of a small SQLite program at synchronous=OFF, and one round of
# the broker with fsync and fdatasync made no-ops by an LD_PRELOAD shim (Tests/PowerLoss/).
#
#   scripts/powerloss.sh [rounds]     default 30; exit status 0 only if no round lost anything and both
#                                     controls did
#   scripts/powerloss.sh [rounds] --replication
#                                     the same with Litestream replicating each round's database to a
#                                     directory off the mount (docs/OPERATIONS.md): it writes to the
#                                     database and checkpoints it, and must not cost an acknowledged write
# Needs root (FUSE) and LazyFS's source in ../shared/tools/lazyfs (or MONOLOG_LAZYFS_SOURCE); installs
# the Debian packages it builds with. MONOLOG_POWERLOSS_REPORT=FILE keeps the JSON line of every round;
# MONOLOG_BIN_DIR=DIR runs the executables in DIR instead of building the release.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
rounds="${1:-30}"
replication="${2:-}"
[[ "$rounds" =~ ^[1-9][0-9]*$ && ( -z "$replication" || "$replication" == "--replication" ) ]] \
    || { echo "usage: scripts/powerloss.sh [rounds] [--replication]" >&2; exit 2; }
lazyfs_source="${MONOLOG_LAZYFS_SOURCE:-../shared/tools/lazyfs}"
if [[ ! -f "$lazyfs_source/lazyfs-offline-mknod.patch" ]]; then
    echo "error: LazyFS's source is not at $lazyfs_source (expected beside the checkout, in ../shared/tools/lazyfs," >&2
    echo "       or in the folder MONOLOG_LAZYFS_SOURCE names)" >&2
    exit 1
fi
[[ $(id -u) -eq 0 ]] || { echo "error: mounting LazyFS (FUSE) needs root" >&2; exit 1; }

# Debian packages: the broker's and the test clients', then LazyFS's build and FUSE.
scripts/install-deps.sh --test
missing=()
for package in cmake g++ libfuse3-dev fuse3 libspdlog-dev libtoml11-dev patch libsqlite3-dev; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "Installing missing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# LazyFS, built once in .build/ from a copy (the shared folder is read-only), again only if it changed.
tools=.build/powerloss
mkdir -p "$tools"
lazyfs_copy=.build/lazyfs-src
lazyfs_binary="$lazyfs_copy/lazyfs/build/lazyfs"
source_sum="$(cd "$lazyfs_source" && find . -type f ! -path './*/build/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)"
if [[ ! -x "$lazyfs_binary" || "$(cat "$lazyfs_copy/.source-sum" 2>/dev/null)" != "$source_sum" ]]; then
    echo "Building LazyFS in $lazyfs_copy" >&2
    rm -rf "$lazyfs_copy"
    cp -r "$lazyfs_source" "$lazyfs_copy"
    chmod -R u+w "$lazyfs_copy"
    (cd "$lazyfs_copy" && patch -s -p1 < lazyfs-offline-mknod.patch)
    if ! { (cd "$lazyfs_copy/libs/libpcache" && mkdir -p build && cd build && cmake .. && cmake --build . -j2) &&
           (cd "$lazyfs_copy/lazyfs" && mkdir -p build && cd build && cmake -DLAZYFS_BUILD_TESTS=OFF .. && cmake --build . -j2)
         } > "$tools/lazyfs-build.log" 2>&1; then
        cat "$tools/lazyfs-build.log" >&2
        echo "error: LazyFS did not build (log above)" >&2
        exit 1
    fi
    echo "$source_sum" > "$lazyfs_copy/.source-sum"
fi

# The broker under test (MONOLOG_BIN_DIR: executables already built, as for the test suite), and the
# controls' two C programs.
if [[ -n "${MONOLOG_BIN_DIR:-}" ]]; then
    bin_dir="$(cd "$MONOLOG_BIN_DIR" && pwd)"
else
    swift build -c release
    bin_dir="$(swift build -c release --show-bin-path)"
fi
cc -O2 -Wall -Wextra -o "$tools/sqlite-sync-off" Tests/PowerLoss/sqlite_sync_off.c -lsqlite3
cc -O2 -Wall -Wextra -shared -fPIC -o "$tools/no-fsync.so" Tests/PowerLoss/no_fsync.c

# A private temporary folder: LazyFS's backing folder, the mount, its fifos, config and log.
work="$(mktemp -d "${TMPDIR:-/tmp}/monolog-powerloss.XXXXXX")"
mount_point="$work/mnt"
lazyfs_pid=""
driver_pid=""
processes_on_mount() {
    grep -laF -- "$mount_point/" /proc/[0-9]*/cmdline 2>/dev/null | sed -e 's|^/proc/||' -e 's|/cmdline$||' || true
}
cleanup() {
    local status=$?
    trap - EXIT
    trap '' INT TERM  # a second signal (timeout(1) signals its whole process group) must not cut this short
    # An interrupted run: the driver (its clients die with it), then whatever it left on the mount.
    if [[ -n "$driver_pid" ]]; then
        kill -KILL "$driver_pid" 2>/dev/null || true
        wait "$driver_pid" 2>/dev/null || true
    fi
    local pids _
    for _ in $(seq 50); do
        pids="$(processes_on_mount)"
        [[ -z "$pids" ]] && break
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.1
    done
    # A failed or unfinished round leaves its log, its clients' records and its data (as LazyFS last
    # synced it): keep them.
    local kept
    kept="$(find "$work" "$work/backing" -maxdepth 1 -name 'round-*' 2>/dev/null || true)"
    if [[ -n "$kept" ]]; then
        local keep_dir="$tools/kept-$(date +%Y%m%d-%H%M%S)"
        mkdir -p "$keep_dir/logs" "$keep_dir/data"
        find "$work" -maxdepth 1 -name 'round-*' -exec cp -r {} "$keep_dir/logs/" \; 2>/dev/null || true
        find "$work/backing" -maxdepth 1 -name 'round-*' -exec cp -r {} "$keep_dir/data/" \; 2>/dev/null || true
        echo "files of the failed or unfinished rounds: $keep_dir" >&2
    fi
    if grep -qF " $mount_point " /proc/mounts; then
        fusermount3 -u "$mount_point" 2>/dev/null || fusermount3 -uz "$mount_point" 2>/dev/null || true
    fi
    if [[ -n "$lazyfs_pid" ]]; then
        kill "$lazyfs_pid" 2>/dev/null || true
        wait "$lazyfs_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/backing" "$mount_point"
mkfifo "$work/faults.fifo" "$work/done.fifo"
# Held open read-write for the whole run: LazyFS opens the completion fifo for writing as it starts, and
# a completion must never meet a fifo without a reader (SIGPIPE) between two driver runs.
exec 9<>"$work/done.fifo"
cat > "$work/lazyfs.toml" <<TOML
[faults]
fifo_path="$work/faults.fifo"
fifo_path_completed="$work/done.fifo"
[cache]
apply_eviction=false
[cache.simple]
custom_size="1gb"
blocks_per_page=1
[filesystem]
log_all_operations=false
logfile="$work/lazyfs.log"
TOML
LD_LIBRARY_PATH="$root/$lazyfs_copy/libs/libpcache/build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$lazyfs_binary" "$mount_point" --config-path "$work/lazyfs.toml" -o allow_other -o modules=subdir \
    -o subdir="$work/backing" -f > "$work/lazyfs.out" 2>&1 &
lazyfs_pid=$!
for _ in $(seq 300); do  # LazyFS allocates its whole cache before it mounts
    grep -qF " $mount_point " /proc/mounts && break
    kill -0 "$lazyfs_pid" 2>/dev/null || { cat "$work/lazyfs.out" >&2; echo "error: LazyFS exited" >&2; exit 1; }
    sleep 0.1
done
grep -qF " $mount_point " /proc/mounts || { cat "$work/lazyfs.out" >&2; echo "error: LazyFS did not mount" >&2; exit 1; }

report="${MONOLOG_POWERLOSS_REPORT:-$work/report.jsonl}"
: > "$report"
driver=(.venv/bin/python Tests/Compat/python/powerloss.py --mount "$mount_point" --work "$work"
        --faults-fifo "$work/faults.fifo" --done-fifo "$work/done.fifo" --report "$report")
# Each driver runs in the background so that a signal reaches the trap at once, not after the rounds.
drive() {
    "${driver[@]}" "$@" &
    driver_pid=$!
    local result=0
    wait "$driver_pid" || result=$?
    driver_pid=""
    return "$result"
}
status=0
replica_arguments=()
if [[ -n "$replication" ]]; then
    mkdir -p "$work/replicas"
    replica_arguments=(--replica-root "$work/replicas" --litestream-bin "$(scripts/install-deps.sh --replication | tail -n 1)")
fi
drive broker --rounds "$rounds" --bin-dir "$bin_dir" "${replica_arguments[@]}" || status=1
drive sqlite-sync-off --rounds "$rounds" --program "$tools/sqlite-sync-off" || status=1
drive broker-no-fsync --rounds 1 --bin-dir "$bin_dir" --preload "$root/$tools/no-fsync.so" || status=1
.venv/bin/python Tests/Compat/python/powerloss.py --report "$report" summary || status=1
exit "$status"
