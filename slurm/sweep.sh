#!/usr/bin/env bash
# Submits a loss-weight sweep: a job array of slurm/sweep.sbatch with one task per run of the grid file, all
# training on one pregenerated pair set, then a report job (sinsr sweep-report) once every task has ended
# (afterany: runs that failed are listed as missing). Prints "sweep <array job id>" and "report <job id>";
# --dry-run prints the commands instead (a runnable shell script).
#
#   slurm/sweep.sh GRID SWEEP_DIR [options]
#
# Options (each also read from the environment variable in brackets; options win):
#   --data DIR             the shared pair data set [DATA] (required)
#   --teacher T.pth        [TEACHER] (required)     --autoencoder VQ.pth  [AUTOENCODER] (required)
#   --benchmark B.ini      [BENCHMARK] (required)   --config C.ini        [CONFIG]
#   --sbatch "OPTS"        sbatch options of every array task, e.g. "--ntasks=4 --gpus-per-task=1" [SBATCH_ARGS]
#   --parallel N           at most N runs at a time (--array=...%N)
#   --train-args "ARGS"    sinsr train options of every run, e.g. "--train.steps=20000" [TRAIN_ARGS]
#   --eval-args "ARGS"     sinsr eval options of every run [EVAL_ARGS]
#   --after JOBID          the array waits for this job (afterok), e.g. the datagen job of slurm/pipeline.sh
#   --no-report            no report job
#   --dry-run              print the commands, submit nothing
# Logs: SWEEP_DIR/logs/sinsr-sweep-<array id>_<task>.out and sinsr-sweep-report-<id>.out; the report in
# SWEEP_DIR/report/ (leaderboard.csv, leaderboard.md, plots/). Other variables of slurm/common.sh
# (SINSR_BIN, DEVICE, SINSR_THREADS, SRUN_ARGS, ...) are passed on through the environment.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "sweep.sh: $*" >&2; exit 2; }
source "$repo/slurm/common.sh"

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -ge 2 ] || { usage >&2; exit 2; }
GRID=$1 SWEEP_DIR=$2; shift 2
dry_run=0 report=1 parallel='' after=''
while [ $# -gt 0 ]; do
  opt=$1
  case "$opt" in
    --dry-run) dry_run=1; shift; continue ;;
    --no-report) report=0; shift; continue ;;
    -h|--help) usage; exit 0 ;;
  esac
  [ $# -ge 2 ] || die "$opt needs a value (--help lists the options)"
  val=$2; shift 2
  case "$opt" in
    --data) DATA=$val ;;
    --teacher) TEACHER=$val ;;
    --autoencoder) AUTOENCODER=$val ;;
    --benchmark) BENCHMARK=$val ;;
    --config) CONFIG=$val ;;
    --sbatch) SBATCH_ARGS=$val ;;
    --parallel) parallel=$val ;;
    --train-args) TRAIN_ARGS=$val ;;
    --eval-args) EVAL_ARGS=$val ;;
    --after) after=$val ;;
    *) die "unknown option '$opt' (--help lists the options)" ;;
  esac
done
for v in DATA TEACHER AUTOENCODER BENCHMARK; do
  [ -n "${!v:-}" ] || die "--$(echo "$v" | tr A-Z a-z) (or $v) is required"
done
runs=$(sinsr_grid "$GRID") || exit 2
count=$(printf '%s\n' "$runs" | grep -c . || true)
[ "$count" -gt 0 ] || die "$GRID has no run line"
command -v sbatch >/dev/null || [ $dry_run = 1 ] || die "sbatch not found (no Slurm client here; slurm/local/up.sh starts a test cluster)"

logs=$SWEEP_DIR/logs
array="0-$((count - 1))${parallel:+%$parallel}"
# shellcheck disable=SC2206
sweep_cmd=(env GRID="$GRID" SWEEP_DIR="$SWEEP_DIR" DATA="$DATA" TEACHER="$TEACHER" AUTOENCODER="$AUTOENCODER"
           BENCHMARK="$BENCHMARK" CONFIG="${CONFIG:-}" EVAL_ARGS="${EVAL_ARGS:-}"
           sbatch --parsable "--array=$array" "--output=$logs/%x-%A_%a.out" ${SBATCH_ARGS:-}
           ${after:+--dependency=afterok:$after} ${after:+--kill-on-invalid-dep=yes}
           "$repo/slurm/sweep.sbatch" ${TRAIN_ARGS:-})
report_cmd=(sbatch --parsable --job-name=sinsr-sweep-report "--output=$logs/%x-%j.out" --ntasks=1
            "--dependency=afterany:\$SWEEP_JOB"
            "--wrap=$(printf '%q sweep-report %q' "${SINSR_BIN:-$repo/build/sinsr}" "$SWEEP_DIR")")

if [ $dry_run = 1 ]; then
  echo "# $count run(s): $(printf '%s\n' "$runs" | cut -d' ' -f1 | tr '\n' ' ')"
  printf 'mkdir -p %q\n' "$logs"
  printf 'SWEEP_JOB=$('; printf '%q ' "${sweep_cmd[@]}" | sed 's/ $//'; printf ')\n'
  if [ $report = 1 ]; then
    printf 'REPORT_JOB=$('; printf '%q ' "${report_cmd[@]}" | sed 's/ $//; s/\\\$SWEEP_JOB/$SWEEP_JOB/'; printf ')\n'
  fi
  exit 0
fi
mkdir -p "$logs"
SWEEP_JOB=$("${sweep_cmd[@]}") || die "sbatch failed for the sweep array"
SWEEP_JOB=${SWEEP_JOB%%;*}
echo "sweep $SWEEP_JOB"
if [ $report = 1 ]; then
  report_cmd[5]="--dependency=afterany:$SWEEP_JOB"
  REPORT_JOB=$("${report_cmd[@]}") || die "sbatch failed for the report job"
  echo "report ${REPORT_JOB%%;*}"
fi
echo "$count run(s) into $SWEEP_DIR/<run>/; logs: $logs/; report: $SWEEP_DIR/report/leaderboard.md"
