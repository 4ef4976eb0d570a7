#!/usr/bin/env bash
# A one-node Slurm test cluster (munged, a private mariadbd, slurmdbd, slurmctld, slurmd) for emb-agent's
# integration tests, on Debian without systemd as init. Usage: cluster.sh up|down|status
# (this is the host's Slurm, 22.05 on Debian 12; test/slurm/chroot-cluster.sh runs it for Slurm 24.11 beside it)
#   up      install missing packages, start what is not running, wait until the node is idle and sacct answers
#           (each wait bounded by EMB_SLURM_WAIT_S, default 60 s)
#   down    cancel running jobs (pending ones stay queued), stop the daemons this script started
#   status  say which daemons run; exit 0 if all run, 3 otherwise
# Exit codes: 0 ok, 1 a daemon failed (its log tail is printed), 2 refused (not root, not Debian-like, bad usage,
# or an /etc/slurm config this script did not write).
# State lives in fixed places so job ids continue across restarts: /var/lib/emb-slurm (slurmctld state, slurmd
# spool, mariadb data, the database password), /var/log/emb-slurm (logs; munged's stays in /var/log/munge),
# /run/emb-slurm (pid files, the mariadb socket). Configs are written to /etc/slurm from test/slurm/*.in.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=/var/lib/emb-slurm
LOGDIR=/var/log/emb-slurm
RUN=/run/emb-slurm
# munged insists that its log directory be owned by munge or root: keep Debian's default.
MUNGE_LOG=/var/log/munge/munged.log
ETC=/etc/slurm
CLUSTER=emb
DB_PORT=3316
DBD_PORT=6819
CPUS=16
MEM_MB=16000
WAIT_S=${EMB_SLURM_WAIT_S:-60}
PACKAGES=(slurm-wlm slurmdbd munge mariadb-server strace)
MARKER='# Managed by emb-agent test/slurm/cluster.sh'
HOST=$(hostname -s)

say() { echo "cluster.sh: $*"; }
refuse() {
  echo "cluster.sh: refused: $*" >&2
  exit 2
}
# fail DAEMON LOGFILE MESSAGE: name the daemon that failed and show the end of its log.
fail() {
  echo "cluster.sh: $1 failed: $3" >&2
  if [[ -n $2 && -r $2 ]]; then
    echo "---- last lines of $2 ----" >&2
    tail -n 25 "$2" >&2
    echo "----" >&2
  fi
  exit 1
}

preflight() {
  [[ $(id -u) -eq 0 ]] || refuse "must run as root (it installs packages and starts system daemons); try: sudo $0 ${1:-up}"
  if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    refuse "needs a Debian-like system with apt-get (no /etc/debian_version or apt-get here)"
  fi
}

# pid_of PIDFILE NAME: print the pid if the pid file names a live process called NAME (Debian's slurm binaries
# are NAME-wlm behind alternatives symlinks). A pid file naming a dead or foreign process is stale.
pid_of() {
  local pid comm
  [[ -s $1 ]] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [[ -n $pid && -r /proc/$pid/comm ]] || return 1
  # A killed daemon may linger as a zombie until its parent reaps it.
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  comm=$(<"/proc/$pid/comm")
  [[ $comm == "$2" || $comm == "$2-wlm" ]] || return 1
  echo "$pid"
}

# pgrep limited to our own pid namespace: a cluster in another one (test/slurm/chroot-cluster.sh) runs daemons
# and job steps of the same names that this script must neither refuse to start beside nor kill.
own_pgrep() { pgrep --ns $$ --nslist pid "$@"; }

# wait_until SECONDS COMMAND...: retry COMMAND (output discarded) every half second.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing ${missing[*]}"
  # Package scripts must not start daemons through init scripts: this script starts them its own way.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && ours=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || rc=$?
  if ((rc != 0)); then
    say "apt-get install failed (rc=$rc); running apt-get update and retrying"
    rc=0
    apt-get update -q </dev/null && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || rc=$?
  fi
  ((ours)) && rm -f "$policy"
  ((rc == 0)) || fail apt-get "" "could not install ${missing[*]}"
}

prepare_dirs() {
  install -d -m 0755 "$STATE" "$RUN"
  # slurm daemons chdir to their log directory (for core files) and complain unless it is theirs.
  install -d -o slurm -g slurm -m 0755 "$LOGDIR"
  install -d -o slurm -g slurm -m 0755 "$STATE/slurmctld" "$RUN/slurm"
  install -d -m 0755 "$STATE/slurmd"
  install -d -o munge -g munge -m 0755 "$RUN/munge" /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge
  install -d -o mysql -g mysql -m 0755 "$RUN/mysql"
  install -d -o mysql -g mysql -m 0750 "$STATE/mysql"
  local f
  for f in slurmctld slurmdbd; do
    [[ -e $LOGDIR/$f.log ]] || install -o slurm -g slurm -m 0640 /dev/null "$LOGDIR/$f.log"
  done
  [[ -e $LOGDIR/mariadb.log ]] || install -o mysql -g mysql -m 0640 /dev/null "$LOGDIR/mariadb.log"
}

# render TEMPLATE DEST OWNER MODE: fill @VARS@ in test/slurm/TEMPLATE; never overwrite a config we did not write.
render() {
  local dest=$ETC/$2 tmp
  if [[ -e $dest ]] && ! head -n 1 "$dest" | grep -qF "$MARKER"; then
    refuse "$dest exists and was not written by this script; move it away to use the test cluster"
  fi
  tmp=$(mktemp "$dest.XXXXXX")
  sed -e "s|@CLUSTER@|$CLUSTER|g" -e "s|@HOST@|$HOST|g" -e "s|@RUN@|$RUN/slurm|g" -e "s|@LOG@|$LOGDIR|g" \
    -e "s|@STATE@|$STATE|g" -e "s|@DBD_PORT@|$DBD_PORT|g" -e "s|@DB_PORT@|$DB_PORT|g" \
    -e "s|@CPUS@|$CPUS|g" -e "s|@MEM_MB@|$MEM_MB|g" -e "s|@DB_PASS@|$(<"$STATE/dbpass")|g" \
    "$HERE/$1" >"$tmp"
  chown "$3" "$tmp"
  chmod "$4" "$tmp"
  mv -f "$tmp" "$dest"
}

write_configs() {
  install -d -m 0755 "$ETC"
  if [[ ! -s $STATE/dbpass ]]; then
    (umask 077 && head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$STATE/dbpass")
  fi
  render slurm.conf.in slurm.conf root:root 0644
  render cgroup.conf.in cgroup.conf root:root 0644
  render slurmdbd.conf.in slurmdbd.conf slurm:slurm 0600
}

munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munged() {
  if munge_ok; then return 0; fi
  if [[ ! -s /etc/munge/munge.key ]]; then
    runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key ||
      fail munged "" "could not create /etc/munge/munge.key"
  fi
  rm -f "$RUN/munge/munged.pid"
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged --pid-file="$RUN/munge/munged.pid" \
    </dev/null >>"$LOGDIR/munged.stdout" 2>&1 || fail munged "$LOGDIR/munged.stdout" "munged did not start (log: $MUNGE_LOG)"
  wait_until "$WAIT_S" munge_ok || fail munged "$MUNGE_LOG" "munge -n | unmunge does not answer"
}

sql() { mariadb --no-defaults --socket="$RUN/mysql/mysqld.sock" -u root -N -B -e "$1"; }

start_mariadbd() {
  if ! pid_of "$RUN/mysql/mariadbd.pid" mariadbd >/dev/null; then
    rm -f "$RUN/mysql/mariadbd.pid" "$RUN/mysql/mysqld.sock"
    if [[ ! -d $STATE/mysql/mysql ]]; then
      say "initialising a private mariadb in $STATE/mysql"
      mariadb-install-db --no-defaults --user=mysql --datadir="$STATE/mysql" --skip-test-db \
        --auth-root-authentication-method=socket >"$LOGDIR/mariadb-install.log" 2>&1 ||
        fail mariadbd "$LOGDIR/mariadb-install.log" "mariadb-install-db failed"
    fi
    say "starting mariadbd on 127.0.0.1:$DB_PORT"
    # mariadbd does not daemonise: detach it, and keep it off our stdout so callers' pipes close.
    setsid runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir="$STATE/mysql" \
      --socket="$RUN/mysql/mysqld.sock" --pid-file="$RUN/mysql/mariadbd.pid" --port="$DB_PORT" \
      --bind-address=127.0.0.1 --skip-name-resolve --log-error="$LOGDIR/mariadb.log" \
      --innodb-buffer-pool-size=512M --innodb-lock-wait-timeout=900 </dev/null >/dev/null 2>&1 &
  fi
  wait_until "$WAIT_S" sql 'SELECT 1' || fail mariadbd "$LOGDIR/mariadb.log" "no answer on $RUN/mysql/mysqld.sock"
  local pw
  pw=$(<"$STATE/dbpass")
  sql "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
       CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pw';
       CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$pw';
       ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pw';
       ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$pw';
       GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
       GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';" ||
    fail mariadbd "$LOGDIR/mariadb.log" "could not create the slurm database and user"
}

# start_slurm_daemon NAME: start /usr/sbin/NAME (it daemonises itself) unless our pid file names it running.
start_slurm_daemon() {
  local name=$1 pidfile=$RUN/slurm/$1.pid
  pid_of "$pidfile" "$name" >/dev/null && return 0
  RESTARTED=1
  local other
  # One that removed its pid file may still be shutting down: give it time to go.
  wait_until 15 bash -c "! pgrep --ns $$ --nslist pid -x '$name' && ! pgrep --ns $$ --nslist pid -x '$name-wlm'" || true
  if other=$(own_pgrep -x "$name" || own_pgrep -x "$name-wlm"); then
    fail "$name" "" "another $name is running (pid $(echo "$other" | tr '\n' ' ')) that this script did not start; stop it first"
  fi
  rm -f "$pidfile"
  say "starting $name"
  "/usr/sbin/$name" </dev/null >>"$LOGDIR/$name.stdout" 2>&1 ||
    fail "$name" "$LOGDIR/$name.log" "$name exited at start (see also $LOGDIR/$name.stdout)"
}

dbd_ok() { sacctmgr -n -P list cluster format=cluster; }
ctld_ok() { scontrol ping | grep -q 'is UP'; }
node_state() { sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null | head -n 1; }
# "idle*" (with the star) means slurmctld has not heard from slurmd yet.
node_ready() { [[ $(node_state) =~ ^(idle|mixed|allocated|completing)$ ]]; }
sacct_ok() { sacct -n -X -S now-1minutes -o JobID; }

# Jobs slurmctld recovered as running from its saved state whose slurmstepd is gone (ended by a crash or a
# kill): Slurm only notices them at a later node registration, and meanwhile they hold CPUs and stay RUNNING in
# sacct. Cancel those that started before this restart (T0) and have no "slurmstepd: [ID.*]" process.
cancel_ghosts() {
  local id start ghosts=()
  while read -r id start; do
    [[ -n $id ]] || continue
    (($(date -d "$start" +%s 2>/dev/null || echo 0) < $1)) || continue
    own_pgrep -f "^slurmstepd: \[$id\." >/dev/null || ghosts+=("$id")
  done < <(squeue -h -t RUNNING,COMPLETING -w "$HOST" -o '%A %S' 2>/dev/null)
  ((${#ghosts[@]} > 0)) || return 0
  say "cancelling job(s) recovered as running whose processes are gone: ${ghosts[*]}"
  scancel "${ghosts[@]}" || say "scancel failed; they will end at a later node registration"
}

RESTARTED=0

up() {
  ensure_packages
  prepare_dirs
  write_configs
  start_munged
  start_mariadbd
  start_slurm_daemon slurmdbd
  wait_until "$WAIT_S" dbd_ok || fail slurmdbd "$LOGDIR/slurmdbd.log" "sacctmgr cannot reach slurmdbd"
  if ! dbd_ok | grep -qx "$CLUSTER"; then
    sacctmgr -i add cluster "$CLUSTER" >/dev/null || fail slurmdbd "$LOGDIR/slurmdbd.log" "sacctmgr add cluster failed"
  fi
  t0=$(date +%s)
  start_slurm_daemon slurmctld
  wait_until "$WAIT_S" ctld_ok || fail slurmctld "$LOGDIR/slurmctld.log" "scontrol ping does not say UP"
  start_slurm_daemon slurmd
  if ! wait_until "$WAIT_S" node_ready; then
    # A node left DOWN or DRAINED by an earlier run does not come back by itself.
    if pid_of "$RUN/slurm/slurmd.pid" slurmd >/dev/null; then
      scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
      wait_until 15 node_ready || true
    fi
    node_ready || fail slurmd "$LOGDIR/slurmd.log" "node $HOST is '$(node_state)', not idle (slurmctld log: $LOGDIR/slurmctld.log)"
  fi
  wait_until "$WAIT_S" sacct_ok || fail slurmdbd "$LOGDIR/slurmdbd.log" "sacct does not answer"
  if ((RESTARTED)); then cancel_ghosts "$t0"; fi
  say "up: cluster $CLUSTER, node $HOST ($(node_state)), partitions normal (default) and preproc"
}

# stop NAME PIDFILE: TERM the process our pid file names, wait, then KILL; a stale pid file is just removed.
stop() {
  local pid i
  if pid=$(pid_of "$2" "$1"); then
    say "stopping $1 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
      [[ -d /proc/$pid ]] || break
      sleep 0.5
    done
    if [[ -d /proc/$pid ]]; then
      say "$1 ignored TERM for 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$2"
}

down() {
  # End running jobs while slurmctld can still record it (CANCELLED); pending jobs stay queued for the next up.
  local running
  if pid_of "$RUN/slurm/slurmctld.pid" slurmctld >/dev/null &&
    running=$(squeue -h -t RUNNING,COMPLETING -o %A 2>/dev/null) && [[ -n $running ]]; then
    say "cancelling running job(s): $(echo "$running" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    scancel $running || true
    # shellcheck disable=SC2016 # expanded by the inner bash
    wait_until 20 bash -c '[[ -z $(squeue -h -t RUNNING,COMPLETING -o %A) ]]' || say "some jobs did not end in 20 s"
  fi
  stop slurmd "$RUN/slurm/slurmd.pid"
  # Job steps outlive slurmd by design; on this one-node cluster they are ours to end.
  local steps
  if steps=$(own_pgrep -x slurmstepd || own_pgrep -x slurmstepd-wlm); then
    say "stopping job steps (slurmstepd pids $(echo "$steps" | tr '\n' ' '))"
    # shellcheck disable=SC2086
    kill -KILL $steps 2>/dev/null || true
  fi
  stop slurmctld "$RUN/slurm/slurmctld.pid"
  stop slurmdbd "$RUN/slurm/slurmdbd.pid"
  stop mariadbd "$RUN/mysql/mariadbd.pid"
  stop munged "$RUN/munge/munged.pid"
  say "down"
}

status() {
  local all=0 name pidfile pid
  for name in munged mariadbd slurmdbd slurmctld slurmd; do
    case $name in
      munged) pidfile=$RUN/munge/munged.pid ;;
      mariadbd) pidfile=$RUN/mysql/mariadbd.pid ;;
      *) pidfile=$RUN/slurm/$name.pid ;;
    esac
    if pid=$(pid_of "$pidfile" "$name"); then
      echo "$name: running (pid $pid)"
    elif [[ $name == munged ]] && munge_ok; then
      echo "munged: running (not started by cluster.sh)"
    else
      echo "$name: stopped"
      all=3
    fi
  done
  if ((all == 0)); then echo "node $HOST: $(node_state)"; fi
  return "$all"
}

case ${1:-} in
  up | down | status) ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
preflight "$1"
"$1"
