#!/usr/bin/env bash
# Stops the test cluster of slurm/local/up.sh (same SLURM_ROOT, default <repo>/slurm-run): cancels every
# job and waits for them to end, then stops slurmd, slurmctld and the private munged by their pid files.
# Logs and state stay in SLURM_ROOT. Safe to run twice, or after a failed up.sh. Exit 1 if a daemon or a
# job step survived.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOT=${SLURM_ROOT:-$repo/slurm-run}
[ -d "$ROOT" ] || { echo "down.sh: $ROOT does not exist: nothing to stop"; exit 0; }
ROOT=$(cd "$ROOT" && pwd)
export SLURM_CONF=$ROOT/etc/slurm.conf

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# Waits up to $2 tenths of a second for the process of pid file $1 to end; then SIGKILL.
stop_pidfile() {
  local file=$1 name=$2 pid
  alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "down.sh: $name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null
    sleep 0.2
  fi
  rm -f "$file"
}

if alive "$ROOT/slurmctld.pid" && [ -f "$SLURM_CONF" ]; then
  jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    echo "down.sh: cancelling jobs $jobs"
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    for _ in $(seq 200); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
    [ -z "$(squeue -h 2>/dev/null)" ] || echo "down.sh: jobs still listed after 20 s: $(squeue -h -o '%A %T' | tr '\n' ' ')"
  fi
fi
stop_pidfile "$ROOT/slurmd.pid" slurmd
stop_pidfile "$ROOT/slurmctld.pid" slurmctld
stop_pidfile "$ROOT/munge/munged.pid" munged

status=0
for f in slurmd.pid slurmctld.pid munge/munged.pid; do
  if alive "$ROOT/$f"; then echo "down.sh: $f still running"; status=1; fi
done
# Job steps run under slurmstepd, which outlives slurmd; after the cancel above none should be left.
steps=$(pgrep -x slurmstepd | tr '\n' ' ')
if [ -n "$steps" ]; then echo "down.sh: slurmstepd processes still running: $steps"; status=1; fi
[ $status -eq 0 ] && echo "down.sh: cluster in $ROOT stopped"
exit $status
