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
# The node advertises LOCAL_SLURM_CPUS CPUs (default: 24, or the real count when larger). On a 2-core
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

write_conf() {
  local host cpus mem real
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
  cat >"$CONF" <<EOF
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
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
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
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  # 22.05 refuses CgroupPlugin=disabled, so no cgroup.conf at all (nothing here uses cgroups)
  if [ -e "$CONF_DIR/cgroup.conf" ] && grep -q 'CgroupPlugin=disabled' "$CONF_DIR/cgroup.conf"; then
    rm -f "$CONF_DIR/cgroup.conf"
  fi
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
    runuser -u munge -- /usr/sbin/munged
  else
    su -s /bin/sh munge -c /usr/sbin/munged
  fi
  munge -n | unmunge >/dev/null || die "munged started but a credential does not round-trip"
}

node_up() {
  local state
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1)
  case "$state" in
    idle* | mix* | alloc* | completing*) return 0 ;;
    *) return 1 ;;
  esac
}

start() {
  need_tools
  write_conf
  start_munge
  if ! pid_alive "$RUN/slurmctld.pid"; then /usr/sbin/slurmctld; fi
  if ! pid_alive "$RUN/slurmd.pid"; then /usr/sbin/slurmd; fi
  for _ in $(seq 1 60); do
    if node_up; then
      echo "local-slurm: up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMiB')"
      return 0
    fi
    # a node left down/drained by an earlier run comes back on request
    scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true
    sleep 0.5
  done
  echo "local-slurm: the node did not come up; last log lines:" >&2
  tail -n 20 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 || true
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
  stop_one "$RUN/slurmd.pid" slurmd
  stop_one "$RUN/slurmctld.pid" slurmctld
  stop_one "$MUNGE_RUN/munged.pid" munged
}

status() {
  if node_up; then
    echo "local-slurm: up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMiB')"
  else
    echo "local-slurm: not running" >&2
    exit 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
