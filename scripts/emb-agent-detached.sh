#!/usr/bin/env bash
# Runs emb-agent detached from the terminal, for login nodes where `systemd --user` lingering is not
# allowed: the agent survives logout (not a reboot: add the `ensure` line to your crontab for that).
#
#   emb-agent-detached.sh start|stop|restart|status|ensure [-- COMMAND ARGS...]
#
# COMMAND defaults to "$EMB_AGENT_NODE <package>/dist/agent/cli.js run"; EMB_AGENT_CONFIG is passed on.
# Files, per login node because $HOME is shared by all of them and a pid means nothing on another host:
#   $EMB_AGENT_STATE_DIR/agent.<host>.pid   "<pid> <process start time>" (guards against pid reuse)
#   $EMB_AGENT_STATE_DIR/agent.<host>.log   the agent's output (rotated at 10 MB at start)
# Which login node runs the agent is the lease's business (agent.lease, written by the agent itself):
# `status` shows it, `ensure` leaves a fresh lease held by another node alone.
#
# Environment: EMB_AGENT_STATE_DIR (default ~/.local/state/emb-agent, the config's default stateDir),
# EMB_AGENT_NODE (default: node on PATH), EMB_AGENT_START_WAIT (seconds to watch a new agent, default 5),
# EMB_AGENT_STOP_WAIT (seconds to wait after SIGTERM before SIGKILL, default 40).
# Exit status: 0 done/running, 1 failed, 2 usage, 3 not running (status).
set -u
# Everything made here and by the agent (state folder, pid file, log) is the user's alone, whatever the login umask.
umask 077

STATE_DIR=${EMB_AGENT_STATE_DIR:-$HOME/.local/state/emb-agent}
HOST=$(hostname -s 2>/dev/null || hostname)
PID_FILE=$STATE_DIR/agent.$HOST.pid
LOG_FILE=$STATE_DIR/agent.$HOST.log
LEASE_FILE=$STATE_DIR/agent.lease
START_WAIT=${EMB_AGENT_START_WAIT:-5}
STOP_WAIT=${EMB_AGENT_STOP_WAIT:-40}
LOG_MAX_BYTES=$((10 * 1024 * 1024))
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  echo "usage: $(basename "$0") start|stop|restart|status|ensure [-- COMMAND ARGS...]" >&2
  exit 2
}

# The start time of a process as ps prints it; with the pid it names one process for good.
proc_start() { ps -o lstart= -p "$1" 2>/dev/null | sed 's/^ *//'; }

# Alive and not a zombie.
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case $st in Z*) return 1 ;; esac
  return 0
}

# Prints the pid from the pid file if that very process still runs; else fails (and drops a stale file).
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid started
  read -r pid started <"$PID_FILE" || true
  case $pid in '' | *[!0-9]*) rm -f "$PID_FILE"; return 1 ;; esac
  if alive "$pid" && [ "$(proc_start "$pid")" = "$started" ]; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  return 1
}

# "host pid listen" of the lease, if one exists (the agent writes it as one line of JSON).
lease_summary() {
  [ -f "$LEASE_FILE" ] || return 1
  local body host pid listen
  body=$(cat "$LEASE_FILE" 2>/dev/null) || return 1
  host=$(printf '%s' "$body" | sed -n 's/.*"host":"\([^"]*\)".*/\1/p')
  pid=$(printf '%s' "$body" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
  listen=$(printf '%s' "$body" | sed -n 's/.*"listen":"\([^"]*\)".*/\1/p')
  echo "${host:-?} ${pid:-?} ${listen:--}"
}

# True if the lease names another host and was rewritten in the last 2 minutes (heartbeats are 20 s).
lease_fresh_elsewhere() {
  local host
  [ -n "$(find "$LEASE_FILE" -mmin -2 2>/dev/null)" ] || return 1
  host=$(lease_summary | cut -d' ' -f1)
  [ -n "$host" ] && [ "$host" != "$HOST" ] && [ "${host%%.*}" != "$HOST" ]
}

rotate_log() {
  local size
  size=$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  if [ "$size" -gt "$LOG_MAX_BYTES" ]; then mv -f "$LOG_FILE" "$LOG_FILE.1"; fi
}

do_start() {
  local pid rc waited
  if pid=$(running_pid); then
    echo "emb-agent already runs on $HOST (pid $pid); refusing to start another" >&2
    return 1
  fi
  if [ "${#CMD[@]}" -eq 0 ]; then
    local node=${EMB_AGENT_NODE:-$(command -v node || true)}
    if [ -z "$node" ] || [ ! -x "$node" ]; then
      echo "cannot find node: set EMB_AGENT_NODE to its absolute path (cron has no module environment)" >&2
      return 1
    fi
    CMD=("$node" "$ROOT/dist/agent/cli.js" run)
  fi
  mkdir -p "$STATE_DIR" && chmod 700 "$STATE_DIR" || return 1
  rotate_log
  printf '%s emb-agent-detached: starting on %s: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$HOST" "${CMD[*]}" >>"$LOG_FILE"
  # The default API socket goes under XDG_RUNTIME_DIR when set, but logind deletes that folder at logout
  # and this agent outlives the session: leave it to /tmp/emb-agent-<uid> (emb-client looks there too).
  unset XDG_RUNTIME_DIR
  # setsid: a new session, so a hang-up at logout reaches neither the agent nor its children.
  if command -v setsid >/dev/null 2>&1; then
    setsid nohup "${CMD[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
  else
    nohup "${CMD[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
  fi
  pid=$!
  echo "$pid $(proc_start "$pid")" >"$PID_FILE.tmp" && mv -f "$PID_FILE.tmp" "$PID_FILE"
  # An agent that cannot start (bad config, lease held elsewhere) exits within a second or two.
  waited=0
  while [ "$waited" -lt "$START_WAIT" ]; do
    if ! alive "$pid"; then
      wait "$pid"
      rc=$?
      rm -f "$PID_FILE"
      echo "emb-agent exited during start-up with status $rc (2 config, 3 lease held elsewhere, 4 newer database, 5 cannot listen); last lines of $LOG_FILE:" >&2
      tail -n 15 "$LOG_FILE" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "emb-agent started on $HOST (pid $pid); log: $LOG_FILE"
  return 0
}

do_stop() {
  local pid waited
  if ! pid=$(running_pid); then
    echo "emb-agent is not running on $HOST"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null
  waited=0
  while alive "$pid" && [ "$waited" -lt "$((STOP_WAIT * 5))" ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    # Like systemd's KillMode=mixed: SIGTERM went to the agent alone, SIGKILL goes to its whole group
    # (setsid made it a group leader), so no child is left behind.
    if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ]; then
      kill -KILL -- "-$pid" 2>/dev/null
    else
      kill -KILL "$pid" 2>/dev/null
    fi
    waited=0
    while alive "$pid" && [ "$waited" -lt 50 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    echo "emb-agent (pid $pid) did not stop within ${STOP_WAIT} s of SIGTERM; killed it" >&2
  else
    echo "emb-agent (pid $pid) stopped"
  fi
  rm -f "$PID_FILE"
  return 0
}

do_status() {
  local pid lease rc
  if pid=$(running_pid); then
    echo "emb-agent runs on $HOST (pid $pid, started $(proc_start "$pid")); log: $LOG_FILE"
    rc=0
  else
    echo "emb-agent is not running on $HOST"
    rc=3
  fi
  if lease=$(lease_summary); then
    set -- $lease
    if [ "$3" = - ]; then echo "lease: held by $1 (pid $2, not listening yet)"; else echo "lease: held by $1 (pid $2, listening on $3)"; fi
  fi
  return "$rc"
}

do_ensure() {
  running_pid >/dev/null && return 0
  if lease_fresh_elsewhere; then
    echo "emb-agent runs on $(lease_summary | cut -d' ' -f1) (fresh lease); nothing to do on $HOST"
    return 0
  fi
  do_start
}

[ $# -ge 1 ] || usage
ACTION=$1
shift
CMD=()
if [ $# -gt 0 ]; then
  [ "$1" = "--" ] || usage
  shift
  CMD=("$@")
fi

case $ACTION in
  start) do_start ;;
  stop) do_stop ;;
  restart) do_stop && do_start ;;
  status) do_status ;;
  ensure) do_ensure ;;
  *) usage ;;
esac
