#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (Debian's slurm-wlm + munge) for the Slurm tests, CI and the bench.
#
#   scripts/local-slurm.sh start    munged, slurmctld, slurmd; waits until the node takes jobs; idempotent
#   scripts/local-slurm.sh stop     stops the three daemons it started
#   scripts/local-slurm.sh status   exit 0 when the cluster answers and the node is up, with sinfo's line
#
# Needs root (slurmd runs jobs as their submitting user, and the daemons are started as root without
# systemd). No cgroups: proctrack/linuxproc and task/none, which work in containers and CI machines.
#
# Nodes: LOCAL_SLURM_NODES slurmd daemons on this one host (default 3), each its own Slurm node with its own
# port, spool and log: "$(hostname -s)" (partition debug, the default, one node) and "<host>-2", "<host>-3"…
# (all of them together in partition multi, for --vary node). Slurm treats them as distinct nodes; their
# hardware is this machine's, so they differ only in name and in what Slurm gives each job there.
#
# Each node advertises LOCAL_SLURM_CPUS CPUs (default: 24, or the real count when larger). On a 2-core
# machine that oversubscribes on purpose: reproscope's tests and bench submit tiny jobs that mostly wait,
# and 20 of them must be able to be in flight at once. SlurmdParameters=config_overrides lets slurmd accept
# the advertised figure instead of draining the node for "low CPUs". Set LOCAL_SLURM_CPUS=$(nproc) for a
# faithful node.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
MARK='# written by reproscope scripts/local-slurm.sh'
STATE=/var/lib/slurm/slurmctld
SPOOL=/var/lib/slurm/slurmd
LOGS=/var/log/slurm
RUN=/run/slurm
MUNGE_RUN=/run/munge

die() {
  echo "local-slurm: $*" >&2
  exit 1
}

need_tools() {
  local missing=()
  for t in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || die "not installed: ${missing[*]} (apt-get install slurm-wlm munge)"
  [ "$(id -u)" -eq 0 ] || die "must run as root (slurmctld and slurmd are started as root here)"
}

# The node names: this host's short name first, then <host>-2 … <host>-N
node_names() {
  local host n i
  host=$(hostname -s)
  n=${LOCAL_SLURM_NODES:-3}
  echo "$host"
  for i in $(seq 2 "$n"); do echo "$host-$i"; done
}

# Writes slurm.conf; returns 1 when it was already what this script writes (nothing to restart)
write_conf() {
  local host cpus mem real extra all i name tmp
  host=$(hostname -s)
  real=$(nproc)
  cpus=${LOCAL_SLURM_CPUS:-24}
  [ "$cpus" -ge "$real" ] || cpus=$real
  # slurm's RealMemory is in MiB; leave some for the daemons and the submitting side
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    die "$CONF exists and was not written by this script; not touching a real cluster's configuration"
  fi
  mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOGS" "$RUN"
  # 22.05 refuses CgroupPlugin=disabled, so no cgroup.conf at all (nothing here uses cgroups)
  if [ -e "$CONF_DIR/cgroup.conf" ] && grep -q 'CgroupPlugin=disabled' "$CONF_DIR/cgroup.conf"; then
    rm -f "$CONF_DIR/cgroup.conf"
  fi
  extra=""
  all=$host
  i=1
  for name in $(node_names | tail -n +2); do
    # the same address, another name and port: slurmd -N <name> answers for it (the %n paths below keep them apart)
    extra+="NodeName=$name NodeHostname=$name NodeAddr=127.0.0.1 Port=$((6818 + i)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"$'\n'
    all+=",$name"
    i=$((i + 1))
  done
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
$MARK
# A one-node cluster for reproscope's tests: $cpus CPUs advertised on $real real ones (see the script's header).
ClusterName=reproscope-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL/%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd-%n.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd-%n.log
SlurmctldPort=6817
SlurmdPort=6818
# quick turnaround for tiny jobs: short kill grace, frequent scheduling, finished jobs kept 10 min for scontrol
KillWait=2
MinJobAge=600
InactiveLimit=0
SchedulerParameters=sched_interval=2,bf_interval=2
MessageTimeout=10
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
${extra}PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
PartitionName=multi Nodes=$all MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  for name in $(node_names); do mkdir -p "$SPOOL/$name"; done
  if [ -e "$CONF" ] && cmp -s "$tmp" "$CONF"; then
    rm -f "$tmp"
    return 1
  fi
  mv "$tmp" "$CONF"
  chmod 0644 "$CONF"
  return 0
}

pid_alive() {
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

start_munge() {
  mkdir -p "$MUNGE_RUN" /var/log/munge /var/lib/munge
  chown munge:munge "$MUNGE_RUN" /var/log/munge /var/lib/munge
  chmod 0755 "$MUNGE_RUN"
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  if pid_alive "$MUNGE_RUN/munged.pid"; then return; fi
  if command -v runuser >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged 9>&-
  else
    su -s /bin/sh munge -c /usr/sbin/munged 9>&-
  fi
  munge -n | unmunge >/dev/null || die "munged started but a credential does not round-trip"
}

# every configured node takes jobs
node_up() {
  local want got
  want=$(node_names | wc -l)
  got=$(sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 ~ /^(idle|mix|alloc|completing)/ { print $1 }' | sort -u | wc -l)
  [ "$want" -gt 0 ] && [ "$got" -ge "$want" ]
}

# the slurm daemons, also those of an earlier configuration (one slurmd with the old pid file, other nodes)
stop_daemons() {
  local f
  for f in "$RUN"/slurmd*.pid; do
    if [ -e "$f" ]; then stop_one "$f" "$(basename "$f" .pid)"; fi
  done
  stop_one "$RUN/slurmctld.pid" slurmctld
}

start() {
  local name
  need_tools
  # a changed configuration (another node count, an older version of this script) needs the daemons restarted;
  # slurmctld keeps its state, and running jobs survive a slurmd restart
  if write_conf && pid_alive "$RUN/slurmctld.pid"; then stop_daemons; fi
  start_munge
  # 9>&-: a daemon must not inherit the start lock (munged kept it open, and every later start waited forever)
  if ! pid_alive "$RUN/slurmctld.pid"; then /usr/sbin/slurmctld 9>&-; fi
  for name in $(node_names); do
    if ! pid_alive "$RUN/slurmd-$name.pid"; then /usr/sbin/slurmd -N "$name" 9>&-; fi
  done
  for _ in $(seq 1 60); do
    if node_up; then
      echo "local-slurm: up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMiB' | sort -u | paste -sd ';' -)"
      return 0
    fi
    # a node left down/drained by an earlier run comes back on request
    for name in $(node_names); do scontrol update NodeName="$name" State=RESUME >/dev/null 2>&1 || true; done
    sleep 0.5
  done
  echo "local-slurm: the node did not come up; last log lines:" >&2
  tail -n 20 "$LOGS/slurmctld.log" "$LOGS"/slurmd-*.log >&2 || true
  exit 1
}

stop_one() {
  local pidfile=$1 name=$2
  if pid_alive "$pidfile"; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 40); do
      pid_alive "$pidfile" || break
      sleep 0.25
    done
    echo "local-slurm: stopped $name"
  fi
}

stop() {
  stop_daemons
  stop_one "$MUNGE_RUN/munged.pid" munged
}

status() {
  if node_up; then
    echo "local-slurm: up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMiB' | sort -u | paste -sd ';' -)"
  else
    echo "local-slurm: not running" >&2
    exit 1
  fi
}

# one start or stop at a time: every Slurm test file calls start as it loads, several at once, and two starts that
# both found a daemon missing would each launch it (or restart the other's, failing the jobs it runs)
locked() {
  mkdir -p "$RUN"
  exec 9>"$RUN/local-slurm.lock"
  flock -w 50 9 || die "another start or stop has held $RUN/local-slurm.lock for 50 s (fuser -v it to see which process)"
  "$@"
}

case "${1:-}" in
  start) locked start ;;
  stop) locked stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
