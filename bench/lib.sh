# Helpers shared by the bench/ scripts; sourced, not run. The caller defines fail (message, then exit 1).

stop_pid() {  # stop one process we started: TERM, up to 10 s, then KILL
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {  # a random loopback port nothing listens on
  local port
  for _ in $(seq 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "no free port found"
}

secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }  # 43 chars, base64url

wait_ready() {  # name pid url: until the URL answers 2xx, up to 60 s, failing at once if the process exits
  for _ in $(seq 600); do
    kill -0 "$2" 2>/dev/null || fail "$1 exited during startup"
    curl -fs -o /dev/null --max-time 2 "$3" && return 0
    sleep 0.1
  done
  fail "$1 not ready at $3 after 60 s"
}

machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9; exit}' /proc/stat; }  # busy all

cpu_busy_percent() {  # CPU use of the whole machine over one second, in % of all cores (sample it while servers idle)
  local a b
  a=$(machine_ticks); sleep 1; b=$(machine_ticks)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); all = y[2] - x[2]
    printf "%.0f", (all > 0 ? 100 * (y[1] - x[1]) / all : 0) }'
}

machine_line() {  # one line describing the machine, for the report
  local cpu; cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  echo "machine: nproc=$(nproc), CPU=${cpu:-unknown}, dotnet $(dotnet --version), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
}
