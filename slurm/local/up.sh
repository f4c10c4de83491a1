#!/usr/bin/env bash
# A single-node Slurm test cluster on this machine, for the tests and for trying the slurm/ scripts:
#   sudo slurm/local/up.sh            # then: export SLURM_CONF=<root>/etc/slurm.conf (printed), sbatch ...
#   sudo slurm/local/down.sh          # stops it (cancels every job first)
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages (tools/install-deps.sh --tests).
# Everything lives in SLURM_ROOT (default <repo>/slurm-run): slurm.conf, state, spool, logs, pid files and a
# private munged (its own socket, the system's /etc/munge/munge.key, created if missing), so the cluster
# neither needs systemd nor touches a munged or Slurm that may already run here. No cgroups
# (proctrack/linuxproc, task/none). The node gets the machine's cores and 90% of its memory.
# Ports: SLURM_LOCAL_PORT (slurmctld, default 6817) and the next one (slurmd); SLURM_LOCAL_PORT=auto takes
# the first free pair from 6817 up. Prints the SLURM_CONF line to export; also written to <root>/env.sh.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOT=${SLURM_ROOT:-$repo/slurm-run}
die() { echo "up.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (the daemons run as root here); try: sudo $0"
for exe in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged /usr/bin/sinfo /usr/bin/munge; do
  [ -x "$exe" ] || die "$exe missing: apt-get install slurmctld slurmd slurm-client munge"
done
mkdir -p "$ROOT"
ROOT=$(cd "$ROOT" && pwd)
for d in slurmctld slurmd; do
  if [ -s "$ROOT/$d.pid" ] && kill -0 "$(cat "$ROOT/$d.pid")" 2>/dev/null; then
    die "$d already runs for $ROOT (pid $(cat "$ROOT/$d.pid")); run slurm/local/down.sh first"
  fi
done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${SLURM_LOCAL_PORT:-6817}
if [ "$port" = auto ]; then
  port=6817
  until port_free "$port" && port_free $((port + 1)); do
    port=$((port + 2)); [ "$port" -lt 6917 ] || die "no free port pair in 6817..6916"
  done
fi
port_free "$port" && port_free $((port + 1)) ||
  die "port $port or $((port + 1)) is in use (another Slurm?); set SLURM_LOCAL_PORT=auto or another port"

mkdir -p "$ROOT"/{etc,state,spool,log}
# The private munged: its directory must belong to the munge user and not be writable by others, and
# every folder above it must be searchable by that user.
chmod 755 "$ROOT"
runuser -u munge -- test -x "$ROOT" ||
  die "the munge user cannot reach $ROOT (a parent folder without o+x, e.g. from mktemp -d: chmod 755 it)"
mkdir -p "$ROOT/munge"
chown munge:munge "$ROOT/munge"
chmod 700 "$ROOT/munge"
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || /usr/sbin/create-munge-key -f
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
socket=$ROOT/munge/munge.socket
runuser -u munge -- /usr/sbin/munged --force --socket="$socket" --pid-file="$ROOT/munge/munged.pid" \
  --log-file="$ROOT/munge/munged.log" --seed-file="$ROOT/munge/munged.seed" --key-file=/etc/munge/munge.key ||
  die "munged did not start; see $ROOT/munge/munged.log"
for _ in $(seq 50); do munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null 2>&1 && break; sleep 0.1; done
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null || die "munged does not answer on $socket"

cpus=$(nproc)
mem=$(( $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) * 9 / 10 ))
cat > "$ROOT/etc/slurm.conf" <<CONF
# Written by slurm/local/up.sh: one node (this machine), everything under $ROOT.
ClusterName=sinsr-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket,cred_expire=5
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/spool
SlurmctldPidFile=$ROOT/slurmctld.pid
SlurmdPidFile=$ROOT/slurmd.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MailProg=/bin/true
MinJobAge=300
KillWait=5
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$ROOT/etc/slurm.conf
echo "export SLURM_CONF=$SLURM_CONF" > "$ROOT/env.sh"

/usr/sbin/slurmctld -f "$SLURM_CONF" -i          # -i: ignore old state; daemonizes
/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost   # -N: the node name of slurm.conf, whatever the hostname
for _ in $(seq 150); do
  sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|alloc)' && break
  sleep 0.2
done
sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|alloc)' ||
  die "the node did not come up in 30 s; see $ROOT/log/slurmctld.log and slurmd.log (stop with down.sh)"
sinfo
echo "up.sh: cluster up ($cpus CPUs, ${mem} MB, ports $port/$((port + 1))); stop with slurm/local/down.sh"
echo "export SLURM_CONF=$SLURM_CONF"
