#!/usr/bin/env bash
# Starts two real agents on loopback (ephemeral ports), runs the C test against them, and always
# stops them, also on failure or interruption.
#
#   clients/c/tests/run.sh REPO_ROOT [WRAPPER...] TEST_BINARY
#
# Agent A starts alone; agent B joins A (retrying), has metadata role=c-test and answers queries named
# c-echo. Agent C (when openssl is there) serves HTTPS with client certificates. WRAPPER (e.g. valgrind ...) runs the test binary. The agents' logs are printed when the
# test fails. GOSSIP_C_READY_WAIT (seconds, default 180) bounds each start: ./gossip may build first.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPO_ROOT [WRAPPER...] TEST_BINARY" >&2
  exit 2
fi
root=$(cd "$1" && pwd)
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/gossip-c-test.XXXXXX")
ready_wait=${GOSSIP_C_READY_WAIT:-180}
respond_name=c-echo
respond_text="hello from B"
pids=()
status=1

stop_agents() {
  local pid i
  for pid in "${pids[@]+"${pids[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # bounded: the agents leave gracefully within 5 s; then they are killed
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for pid in "${pids[@]+"${pids[@]}"}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cleanup() {
  stop_agents
  if [[ $status -ne 0 ]]; then
    for log in "$work"/*.log; do
      [[ -f "$log" ]] || continue
      echo "---- $(basename "$log") (last 40 lines) ----" >&2
      tail -n 40 "$log" >&2
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_agent NAME ARGS...: runs ./gossip agent in the background (exec: the pid is the JVM's).
start_agent() {
  local name=$1
  shift
  (cd "$root" && exec ./gossip agent --bind 127.0.0.1:0 --http 127.0.0.1:0 \
    --ready-file "$work/$name.json" "$@") >"$work/$name.log" 2>&1 &
  pids+=($!)
  local pid=$! deadline=$((SECONDS + ready_wait))
  while [[ ! -s "$work/$name.json" ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "agent $name exited before it was ready" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "agent $name not ready after ${ready_wait}s" >&2
      return 1
    fi
    sleep 0.2
  done
}

gossip_address() { # the "gossip" field of a ready file
  sed -n 's/.*"gossip" *: *"\([^"]*\)".*/\1/p' "$1"
}

start_agent a || exit 1
seed=$(gossip_address "$work/a.json")
# --retry-join and a long --join-timeout: on a loaded machine (CI, JIT warm-up) the first answer
# may take longer than the default 5 s, and the test should not depend on it
start_agent b --join "$seed" --retry-join --join-timeout 30s --meta role=c-test --respond "$respond_name=$respond_text" || exit 1

# Agent C serves its API over HTTPS and requires client certificates (mutual TLS), with a CA and
# certificates made here by openssl (as docs/agent.md shows); without openssl that part is skipped.
if command -v openssl >/dev/null 2>&1; then
  (
    cd "$work" &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=c-test CA" -keyout ca-key.pem -out ca.pem &&
      for who in agent client; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" \
          -keyout "$who-key.pem" -out "$who.csr" &&
          printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext" &&
          openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
            -extfile "$who.ext" -out "$who.pem" || exit 1
      done
  ) >"$work/openssl.log" 2>&1 || { echo "openssl could not make the test certificates" >&2; exit 1; }
  start_agent c --http-tls-cert "$work/agent.pem" --http-tls-key "$work/agent-key.pem" \
    --http-tls-ca "$work/ca.pem" || exit 1
  export GOSSIP_C_TLS_READY="$work/c.json" GOSSIP_C_TLS_CA="$work/ca.pem" \
    GOSSIP_C_TLS_CERT="$work/client.pem" GOSSIP_C_TLS_KEY="$work/client-key.pem"
fi

"$@" "$work/a.json" "$work/b.json" "$respond_name" "$respond_text"
status=$?
if [[ $status -eq 0 ]]; then
  # the test ended with gossip_leave on B: B exits 0 on its own
  b_pid=${pids[1]}
  for ((i = 0; i < 150; i++)); do
    kill -0 "$b_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$b_pid" 2>/dev/null; then
    echo "agent b still runs 15 s after POST /v1/leave" >&2
    status=1
  else
    wait "$b_pid"
    b_status=$?
    if [[ $b_status -ne 0 ]]; then
      echo "agent b exited with status $b_status after leave (expected 0)" >&2
      status=1
    fi
  fi
fi
exit $status
