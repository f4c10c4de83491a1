#!/usr/bin/env bash
# Submits the whole pipeline for one configuration as three chained Slurm jobs:
#   datagen (slurm/datagen.sbatch) -> train (slurm/train.sbatch) -> eval (slurm/eval.sbatch)
# each starting only when the one before succeeded (--dependency=afterok:ID). Prints one line per job,
# "<stage> <job id>", then where the logs go. --dry-run prints the submission commands instead, as a shell
# script that can be run as it is (job ids in $DATAGEN_JOB, $TRAIN_JOB).
#
#   slurm/pipeline.sh CONFIG [options]
#
# Options (each also read from the environment variable in brackets; options win):
#   --hr PHOTOS            HR photos for datagen, folder or list file [HR] (default: data.hr of CONFIG)
#   --num-samples N        pairs to generate [NUM_SAMPLES] (required unless --skip-datagen)
#   --teacher T.pth        teacher weights [TEACHER] (required)
#   --autoencoder VQ.pth   VQ-f4 weights [AUTOENCODER] (required)
#   --benchmark B.ini      benchmark of the eval job [BENCHMARK] (required unless --skip-eval)
#   --run DIR              run folder [RUN] (default runs/<CONFIG's name without .ini>)
#   --data DIR             pair data set [DATA] (default <RUN>-pairs)
#   --eval-out DIR         eval results [EVAL_OUT] (default <RUN>/eval)
#   --logs DIR             job logs, <DIR>/<job name>-<job id>.out [LOGS] (default: $(dirname RUN)/logs)
#   --sbatch "OPTS"        sbatch options for every job, e.g. "--partition=gpu --time=4:00:00" [SBATCH_ARGS]
#   --datagen-sbatch "OPTS", --train-sbatch "OPTS", --eval-sbatch "OPTS"
#                          sbatch options of one job, e.g. "--nodes=2 --ntasks-per-node=4 --gpus-per-task=1"
#                          [DATAGEN_SBATCH, TRAIN_SBATCH, EVAL_SBATCH]
#   --datagen-args "ARGS", --train-args "ARGS", --eval-args "ARGS"
#                          sinsr options of one stage, e.g. "--train.steps=1000" [DATAGEN_ARGS, TRAIN_ARGS, EVAL_ARGS]
#   --skip-datagen         DATA exists already: submit train and eval only
#   --skip-eval            submit datagen and train only
#   --after JOBID          the first job also waits for this one (afterok)
#   --dry-run              print the commands, submit nothing
# OPTS and ARGS are split at spaces (no quoting inside). Relative paths are relative to the current folder,
# where the jobs run. Everything else the .sbatch scripts read (SINSR_BIN, DEVICE, SINSR_THREADS, SRUN_ARGS,
# ...; slurm/common.sh) is passed on through the environment.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "pipeline.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; esac
CONFIG=$1; shift
dry_run=0 skip_datagen=0 skip_eval=0 after=
while [ $# -gt 0 ]; do
  opt=$1
  case "$opt" in
    --dry-run) dry_run=1; shift; continue ;;
    --skip-datagen) skip_datagen=1; shift; continue ;;
    --skip-eval) skip_eval=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
  esac
  [ $# -ge 2 ] || die "$opt needs a value (--help lists the options)"
  val=$2; shift 2
  case "$opt" in
    --hr) HR=$val ;;
    --num-samples) NUM_SAMPLES=$val ;;
    --teacher) TEACHER=$val ;;
    --autoencoder) AUTOENCODER=$val ;;
    --benchmark) BENCHMARK=$val ;;
    --run) RUN=$val ;;
    --data) DATA=$val ;;
    --eval-out) EVAL_OUT=$val ;;
    --logs) LOGS=$val ;;
    --sbatch) SBATCH_ARGS=$val ;;
    --datagen-sbatch) DATAGEN_SBATCH=$val ;;
    --train-sbatch) TRAIN_SBATCH=$val ;;
    --eval-sbatch) EVAL_SBATCH=$val ;;
    --datagen-args) DATAGEN_ARGS=$val ;;
    --train-args) TRAIN_ARGS=$val ;;
    --eval-args) EVAL_ARGS=$val ;;
    --after) after=$val ;;
    *) die "unknown option '$opt' (--help lists the options)" ;;
  esac
done

[ -f "$CONFIG" ] || die "config file '$CONFIG' not found"
name=$(basename "$CONFIG" .ini)
RUN=${RUN:-runs/$name}
DATA=${DATA:-$RUN-pairs}
EVAL_OUT=${EVAL_OUT:-$RUN/eval}
LOGS=${LOGS:-$(dirname "$RUN")/logs}
[ -n "${TEACHER:-}" ] || die "--teacher (or TEACHER) is required"
[ -n "${AUTOENCODER:-}" ] || die "--autoencoder (or AUTOENCODER) is required"
[ $skip_datagen = 1 ] || [ -n "${NUM_SAMPLES:-}" ] || die "--num-samples (or NUM_SAMPLES) is required (or --skip-datagen)"
[ $skip_eval = 1 ] || [ -n "${BENCHMARK:-}" ] || die "--benchmark (or BENCHMARK) is required (or --skip-eval)"
for f in TEACHER AUTOENCODER ${BENCHMARK:+BENCHMARK}; do
  [ -f "${!f}" ] || { [ $dry_run = 1 ] && echo "# warning: $f=${!f} not found here" >&2; } || die "$f=${!f}: no such file"
done
command -v sbatch >/dev/null || [ $dry_run = 1 ] || die "sbatch not found (no Slurm client here; slurm/local/up.sh starts a test cluster)"

# submit STAGE DEPENDENCY SCRIPT "SBATCH OPTS" "SINSR ARGS" VAR=VALUE... : prints/submits one job.
submit() {
  local stage=$1 dep=$2 script=$3 opts=$4 args=$5; shift 5
  local -a cmd=(env "$@" sbatch --parsable "--output=$LOGS/%x-%j.out")
  # shellcheck disable=SC2206
  cmd+=(${SBATCH_ARGS:-} $opts)
  # A failed predecessor cancels the rest of the chain instead of leaving it pending forever.
  [ -n "$dep" ] && cmd+=("--dependency=afterok:$dep" --kill-on-invalid-dep=yes)
  # shellcheck disable=SC2206
  cmd+=("$repo/slurm/$script" $args)
  if [ $dry_run = 1 ]; then
    local var
    var=$(echo "$stage" | tr a-z A-Z)_JOB
    printf '%s=$(' "$var"
    printf '%q ' "${cmd[@]}" | sed 's/ $//; s/\\\$\([A-Z]*_JOB\)/$\1/g'
    printf ')\n'
    JOB_ID="\$$var"
  else
    JOB_ID=$("${cmd[@]}") || die "sbatch failed for the $stage job: ${cmd[*]}"
    JOB_ID=${JOB_ID%%;*}  # --parsable: "id" or "id;cluster"
    echo "$stage $JOB_ID"
  fi
}

[ $dry_run = 1 ] && echo "mkdir -p $(printf '%q' "$LOGS")" || mkdir -p "$LOGS"
common=(CONFIG="$CONFIG" TEACHER="$TEACHER" AUTOENCODER="$AUTOENCODER")
dep=$after
if [ $skip_datagen = 0 ]; then
  submit datagen "$dep" datagen.sbatch "${DATAGEN_SBATCH:-}" "${DATAGEN_ARGS:-}" "${common[@]}" \
    DATA="$DATA" NUM_SAMPLES="$NUM_SAMPLES" HR="${HR:-}"
  dep=$JOB_ID
fi
submit train "$dep" train.sbatch "${TRAIN_SBATCH:-}" "${TRAIN_ARGS:-}" "${common[@]}" DATA="$DATA" RUN="$RUN"
if [ $skip_eval = 0 ]; then
  submit eval "$JOB_ID" eval.sbatch "${EVAL_SBATCH:-}" "${EVAL_ARGS:-}" "${common[@]}" RUN="$RUN" \
    BENCHMARK="$BENCHMARK" EVAL_OUT="$EVAL_OUT"
fi
[ $dry_run = 1 ] || echo "logs: $LOGS/sinsr-<stage>-<job id>.out; results: $EVAL_OUT (squeue shows the jobs)"
