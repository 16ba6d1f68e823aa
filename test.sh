#!/usr/bin/env bash
# Runs every test in the solution: installs PostgreSQL if it is missing, starts a private, throw-away
# PostgreSQL cluster on a free 127.0.0.1 port, builds Gatehouse.slnx and runs `dotnet test` against it.
# Prints "N passed, N failed, N skipped" at the end and exits with dotnet test's exit code.
set -uo pipefail

cd "$(dirname "$0")" || exit 1
REPO=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- PostgreSQL binaries ---------------------------------------------------------------------------
find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r d; do [ -x "$d/initdb" ] && echo "$d"; done | tail -n 1; }
PGBIN=$(find_pgbin)
if [ -z "$PGBIN" ]; then
  echo "== installing PostgreSQL"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q || exit 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql || exit 1
  PGBIN=$(find_pgbin)
  [ -n "$PGBIN" ] || { echo "PostgreSQL installed, but no /usr/lib/postgresql/*/bin/initdb found" >&2; exit 1; }
fi

# --- nginx (the gateway tests start their own, with a private prefix, on 127.0.0.1) -------------------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "== installing nginx"
  as_root apt-get update -q || exit 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx || exit 1
fi

# --- redis-server (the gateway's Redis tests start their own, with a private directory, on 127.0.0.1) ---
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  echo "== installing redis-server"
  as_root apt-get update -q || exit 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server || exit 1
fi

# --- chromium (browser tests drive Debian's build headless through Playwright; nothing else is downloaded) ---
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  as_root apt-get update -q || exit 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium || exit 1
fi

# As root, the cluster runs as the 'postgres' user (initdb refuses root); otherwise as the current user.
if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi

# --- private cluster, always stopped and removed on exit --------------------------------------------
# Under /tmp (not $TMPDIR) so that every parent directory is traversable by the postgres user.
RUN=$(mktemp -d /tmp/gatehouse-pg.XXXXXX) || exit 1
chmod 755 "$RUN"
PGDATA_DIR="$RUN/data"
cleanup() {
  if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$RUN"
as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --no-sync >"$RUN/initdb.log" 2>&1 \
  || { cat "$RUN/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 1 20); do
  candidate=$(( 20000 + RANDOM % 40000 ))
  port_in_use "$candidate" && continue
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$RUN/postgres.log" -w -t 30 \
       -o "-c listen_addresses=127.0.0.1 -p $candidate -k $RUN -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
       start >/dev/null 2>&1; then
    PORT=$candidate
    break
  fi
  # Lost a race for the port (or another start failure): try another port; the log says which.
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
done
if [ -z "$PORT" ]; then
  echo "could not start PostgreSQL; its log:" >&2
  cat "$RUN/postgres.log" >&2 2>/dev/null
  exit 1
fi
echo "== starting PostgreSQL on 127.0.0.1:$PORT"
export GATEHOUSE_TEST_POSTGRES="Host=127.0.0.1;Port=$PORT;Username=postgres"
# Tests that need a cluster configured their own way (TLS, pg_hba) start one with these binaries.
export GATEHOUSE_TEST_PGBIN="$PGBIN"

# --- build and test --------------------------------------------------------------------------------
echo "== building"
dotnet build Gatehouse.slnx -nologo || { echo "build failed" >&2; exit 1; }

echo "== testing"
mkdir -p "$REPO/TestResults"          # gitignored
LOG="$REPO/TestResults/test.log"
dotnet test Gatehouse.slnx --no-build -nologo 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}

awk -F'[:,]' '/^[[:space:]]*(Passed|Failed)!/ { f += $2; p += $4; s += $6 }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$LOG"
exit "$rc"
