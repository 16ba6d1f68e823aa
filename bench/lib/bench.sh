# Shared by the bench scripts (sourced, not run): process hygiene, free ports, wrk runs and their parsing.
# The sourcing script sets WORK (its temp dir) and defines fail(); PIDS holds every process it started.

PIDS=() WRK_PID=""

stop_pid() {  # stop one process we started: TERM, up to 10 s, then KILL
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {  # a random loopback port nothing listens on, below the ephemeral range that outgoing connections take
  local port low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  (( low > 12000 )) || low=32768
  for _ in $(seq 50); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "no free port found"
}

secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }  # 43 chars, base64url

await_ready() {  # pid url: 0 once the url answers 2xx, 1 if the process exits first, 2 after 120 s
  for _ in $(seq 1200); do
    kill -0 "$1" 2>/dev/null || return 1
    curl -fs -o /dev/null --max-time 2 "$2" && return 0
    sleep 0.1
  done
  return 2
}

wait_ready() {  # name pid url
  local rc=0
  await_ready "$2" "$3" || rc=$?
  case "$rc" in
    0) ;;
    1) fail "$1 exited during startup" ;;
    *) fail "$1 not ready at $3 after 120 s" ;;
  esac
}

run_wrk() {  # output-file wrk-args...: in the background, so that a TERM/INT trap runs at once, not after wrk ends
  local output="$1"; shift
  wrk "$@" >"$output" &
  WRK_PID=$!
  wait "$WRK_PID" || fail "wrk failed: $(cat "$output" 2>/dev/null)"
  WRK_PID=""
}

to_ms() {  # wrk latency (812.00us, 1.53ms, 2.01s) -> milliseconds, 2 decimals
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

wrk_summary() {  # wrk --latency output file -> "requests|req/s|p50 ms|p99 ms|errors" (errors: non-2xx/3xx + socket)
  local out="$1" requests rps p50 p99 errors
  requests=$(awk '/ requests in / {print $1}' "$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2; exit}' "$out"); p99=$(awk '$1 == "99%" {print $2; exit}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {e += $NF} /Socket errors:/ {gsub(/,/, ""); e += $4 + $6 + $8 + $10} END {print e + 0}' "$out")
  [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || { cat "$out" >&2; fail "could not parse wrk output $out"; }
  echo "$requests|$rps|$(to_ms "$p50")|$(to_ms "$p99")|$errors"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of a process, in clock ticks

peak_rss_mb() {  # VmHWM (peak resident set) of a process, in MB
  awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}

cpu_busy_percent() {  # [more pids]: one second of /proc/stat minus what our processes used: everything else's share
  local a b oa=0 ob=0 pid
  for pid in "${PIDS[@]}" "$@"; do kill -0 "$pid" 2>/dev/null && oa=$(( oa + $(cpu_ticks "$pid") )); done
  a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6; exit}' /proc/stat); sleep 1
  b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6; exit}' /proc/stat)
  for pid in "${PIDS[@]}" "$@"; do kill -0 "$pid" 2>/dev/null && ob=$(( ob + $(cpu_ticks "$pid") )); done
  awk -v a="$a" -v b="$b" -v ours="$(( ob - oa ))" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; all = busy + y[2] - x[2]
    busy -= ours; if (busy < 0) busy = 0; printf "%.0f", (all > 0 ? 100 * busy / all : 0) }'
}

lua_post() {  # file authorization body [accept]: a wrk script for one fixed form POST (wrk needs a real file)
  {
    printf 'wrk.method = "POST"\n'
    printf 'wrk.body = "%s"\n' "$3"
    printf 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    printf 'wrk.headers["Authorization"] = "%s"\n' "$2"
    [[ -n "${4:-}" ]] && printf 'wrk.headers["Accept"] = "%s"\n' "$4"
  } >"$1"
  return 0
}

basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }

issue_tokens() {  # url authorization body count file: POST until count tokens are in file (at most 120 s)
  local url="$1" auth="$2" body="$3" want="$4" file="$5" lib
  lib="$(dirname "${BASH_SOURCE[0]}")"
  rm -f "$file" "$file.done"
  wrk -t1 -c16 -d120s -s "$lib/issue.lua" "$url" -- "$want" "$file" "$auth" "$body" >"$file.wrk" & WRK_PID=$!
  while kill -0 "$WRK_PID" 2>/dev/null && [[ ! -e "$file.done" ]]; do sleep 0.1; done
  stop_pid "$WRK_PID"; WRK_PID=""
  local issued; issued=$(sort -u "$file" 2>/dev/null | wc -l)
  (( issued >= want )) || fail "issued only $issued of $want tokens in 120 s: $(cat "$file.wrk")"
}

gatehouse_config() {  # file issuer provider connection-string opaque-secret jwt-secret introspection-secret [cleanup-interval]
  # The benchmark configuration of bench/run: ES256, one-hour tokens with scope "api" for urn:bench:api and a "tenant"
  # claim, an opaque-token client, a JWT client and an introspection client, all with 43-character secrets.
  cat >"$1" <<JSON
{
  "Gatehouse": {
    "Issuer": "$2",
    "Roles": "all",
    "Storage": { "Provider": "$3", "ConnectionString": "$4", "CleanupInterval": "${8:-00:05:00}" },
    "Keys": { "Algorithm": "ES256", "EncryptionKey": "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" },
    "Scopes": { "api": { "Description": "Benchmark API", "Claims": [ "tenant" ] } },
    "Clients": {
      "bench-opaque": {
        "Secret": "$5", "GrantTypes": [ "client_credentials" ], "Scopes": [ "api" ],
        "AccessTokenFormat": "opaque", "AccessTokenLifetime": "01:00:00", "Audience": "urn:bench:api",
        "Claims": { "tenant": "bench" }
      },
      "bench-jwt": {
        "Secret": "$6", "GrantTypes": [ "client_credentials" ], "Scopes": [ "api" ],
        "AccessTokenFormat": "jwt", "AccessTokenLifetime": "01:00:00", "Audience": "urn:bench:api",
        "Claims": { "tenant": "bench" }
      },
      "bench-gateway": { "Secret": "$7", "Introspection": true }
    }
  }
}
JSON
  chmod 600 "$1"
}

PG_DATA="" PGBIN=""
start_postgres() {  # a private PostgreSQL cluster in $WORK/pg on a free port (installed with apt-get if missing); sets PG_PORT
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ ! -x "$PGBIN/initdb" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  # Under /tmp, 755, owned by postgres: initdb refuses root, and every parent must be traversable.
  mkdir -p "$WORK/pg"; chmod 755 "$WORK" "$WORK/pg"; [[ $(id -u) == 0 ]] && chown postgres:postgres "$WORK/pg"
  PG_DATA="$WORK/pg/data"
  as_pg "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-sync >"$WORK/pg/initdb.txt" 2>&1 || fail "initdb failed"
  PG_PORT=$(free_port)
  # Durable settings (fsync on): a benchmark of stored tokens must pay for storing them. More memory than the default
  # 128 MB of shared buffers, as any server holding millions of rows would be given.
  as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg -c shared_buffers=1GB -c max_connections=200" start >/dev/null \
    || fail "PostgreSQL did not start: $(tail -n 5 "$WORK/pg/postgres.log")"
}
stop_postgres() {
  [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]] || return 0
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  else "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
}

pad() { printf '%s%*s' "$1" $(( $2 - ${#1} > 0 ? $2 - ${#1} : 0 )) ''; }  # left-align in characters (printf counts bytes)

machine_line() {  # one line describing the machine, for the report
  local cpu; cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  echo "machine: nproc=$(nproc), CPU=${cpu:-unknown}, dotnet $(dotnet --version), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
}
