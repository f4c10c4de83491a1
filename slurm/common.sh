# Shared by the slurm/*.sbatch scripts (sourced, not run): finding the repository and the binary, the log
# header, launching one job step with `srun --mpi=pmix`, and preemption (USR1 forwarded to the ranks, then
# `scontrol requeue` of this job).
#
# Environment read here (every script):
#   SINSR_BIN      the sinsr binary (default <repo>/build/sinsr)
#   DEVICE         --device of datagen/train: auto (default; a GPU per rank when LibTorch sees one), cuda, cpu
#   SINSR_THREADS  intra-op threads per rank (default: SLURM_CPUS_PER_TASK, else 1)
#   SINSR_MPI      srun's --mpi plugin (default pmix; Debian's Open MPI does not work with pmi2)
#   SRUN_ARGS      extra srun options, split at spaces (e.g. "--cpu-bind=cores --gpu-bind=closest")
#   SINSR_REQUEUE  1 (default): after a USR1 (--signal=B:USR1@T, or scancel --signal=USR1 --batch) the ranks
#                  get USR1 and the job requeues itself if the step did not finish; 0: just exit

sinsr_die() {
  echo "$(date '+%F %T') ${SLURM_JOB_NAME:-sinsr}: error: $*" >&2
  exit 2
}

sinsr_log() { echo "$(date '+%F %T') ${SLURM_JOB_NAME:-sinsr}[${SLURM_JOB_ID:-local}]: $*"; }

# Required variables: sinsr_require NAME... (exit 2 naming the first one that is empty).
sinsr_require() {
  local v
  for v in "$@"; do
    [ -n "${!v:-}" ] || sinsr_die "$v is not set (see the top of ${SINSR_SCRIPT:-the script} for every variable)"
  done
}

# Settings every script shares; call once after sourcing.
sinsr_setup() {
  SINSR_BIN=${SINSR_BIN:-$SINSR_REPO/build/sinsr}
  [ -x "$SINSR_BIN" ] || sinsr_die "SINSR_BIN=$SINSR_BIN is not an executable (build it: cmake --build build --target sinsr)"
  DEVICE=${DEVICE:-auto}
  export SINSR_THREADS=${SINSR_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
  SINSR_MPI=${SINSR_MPI:-pmix}
  SINSR_REQUEUE=${SINSR_REQUEUE:-1}
  SINSR_PREEMPTED=0
  SINSR_STEP_PID=
  trap sinsr_on_usr1 USR1
  sinsr_log "start: restart ${SLURM_RESTART_COUNT:-0}, array task ${SLURM_ARRAY_TASK_ID:--}," \
    "${SLURM_JOB_NUM_NODES:-1} node(s) [${SLURM_JOB_NODELIST:-?}], ${SLURM_NTASKS:-1} task(s)," \
    "${SLURM_CPUS_PER_TASK:-1} CPU(s)/task, SINSR_THREADS=$SINSR_THREADS, --device $DEVICE," \
    "GPUs/task ${SLURM_GPUS_PER_TASK:-${SLURM_GPUS_ON_NODE:-0}}, CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-unset}"
  sinsr_log "SLURM_RESTART_COUNT=${SLURM_RESTART_COUNT:-0} binary $SINSR_BIN, working directory $PWD"
}

sinsr_on_usr1() {
  SINSR_PREEMPTED=1
  if [ -n "$SINSR_STEP_PID" ] && kill -0 "$SINSR_STEP_PID" 2>/dev/null; then
    sinsr_log "USR1 received (preemption or time limit near): forwarding it to the ranks"
    # srun passes USR1 on to every task of its step; sinsr train finishes the step, checkpoints, exits 75.
    kill -USR1 "$SINSR_STEP_PID" 2>/dev/null || true
  else
    sinsr_log "USR1 received between steps: stopping before the next one"
  fi
}

# Runs one job step: sinsr_step ARG... (the sinsr binary and its arguments), the ranks launched by srun.
# Sets SINSR_STEP_RC. The step runs in the background so that the USR1 trap can run while it does.
sinsr_step() {
  local srun=(srun "--mpi=$SINSR_MPI" --kill-on-bad-exit=1)
  # Slurm 22.05+: srun no longer inherits --cpus-per-task from the batch allocation.
  [ -n "${SLURM_CPUS_PER_TASK:-}" ] && srun+=("--cpus-per-task=$SLURM_CPUS_PER_TASK")
  # shellcheck disable=SC2206
  [ -n "${SRUN_ARGS:-}" ] && srun+=($SRUN_ARGS)
  if [ "$SINSR_PREEMPTED" = 1 ]; then
    SINSR_STEP_RC=75
    return 0
  fi
  sinsr_log "step: ${srun[*]} $*"
  "${srun[@]}" "$@" &
  SINSR_STEP_PID=$!
  local rc
  while :; do
    wait "$SINSR_STEP_PID"
    rc=$?
    # wait returns early (status > 128) when a trapped signal arrives; srun itself may still be running.
    if [ $rc -gt 128 ] && kill -0 "$SINSR_STEP_PID" 2>/dev/null; then continue; fi
    break
  done
  SINSR_STEP_PID=
  SINSR_STEP_RC=$rc
  sinsr_log "step exit code $rc"
}

# After a step: exit 0 on success; after a USR1, requeue this job (the next start resumes) when the step
# exited with one of the codes given (e.g. 75: checkpointed; "any": any non-zero code); else exit the code.
# DIR (optional), the step's run or data folder: its STOPPED marker means the ranks stopped cleanly (exit 75)
# whatever code the launcher reported (mpirun reports 1 when every rank exits 75).
sinsr_finish_step() {
  local codes=$1 dir=${2:-} rc=$SINSR_STEP_RC
  [ "$rc" -eq 0 ] && return 0
  if [ "$rc" -ne 75 ] && [ -n "$dir" ] && [ -f "$dir/STOPPED" ]; then
    sinsr_log "exit code $rc, but $dir/STOPPED says the ranks stopped cleanly: treated as 75"
    rc=75
  fi
  if [ "$SINSR_PREEMPTED" = 1 ] && [ "$SINSR_REQUEUE" = 1 ] && { [ "$codes" = any ] || [[ " $codes " == *" $rc "* ]]; }; then
    sinsr_log "exit code $rc after USR1: requeueing job ${SLURM_JOB_ID} (next restart count $(( ${SLURM_RESTART_COUNT:-0} + 1 )))"
    if scontrol requeue "$SLURM_JOB_ID"; then
      # Slurm now ends this script and starts the job again (pending for a while: CredExpire, 2 min default).
      exit "$rc"
    fi
    sinsr_log "scontrol requeue failed (submitted with --no-requeue, or JobRequeue=0?): rerun the job by hand to resume"
  fi
  exit "$rc"
}

# Appends FLAG VALUE to the array named ARRAY when VALUE is not empty: sinsr_add_opt ARRAY FLAG VALUE.
sinsr_add_opt() {
  local -n _arr=$1
  [ -n "${3:-}" ] && _arr+=("$2" "$3")
  return 0
}

# The runs of a sweep grid file, one per line: "<run name> <w_distill> <w_inverse> <w_gt> [section.key=value ...]".
# Grid lines: three loss weights, then optional config overrides; '#' starts a comment; blank lines are
# skipped. The run name is made of the line: d<w_distill>-i<w_inverse>-g<w_gt>[+<key>=<value>...]
# (characters other than letters, digits and . _ = - become _). Exit 2 naming the line when one is malformed
# or two lines give the same run.
sinsr_grid() {
  local grid=$1 line n=0 name wd wi wg
  local -a f
  local -A seen=()
  [ -f "$grid" ] || sinsr_die "grid file '$grid' not found"
  local num='^[+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    read -ra f <<< "$line"
    [ ${#f[@]} -eq 0 ] && continue
    [ ${#f[@]} -ge 3 ] || sinsr_die "$grid:$n: expected 'w_distill w_inverse w_gt [section.key=value ...]', got '$line'"
    wd=${f[0]} wi=${f[1]} wg=${f[2]}
    for w in "$wd" "$wi" "$wg"; do
      [[ $w =~ $num ]] || sinsr_die "$grid:$n: loss weight '$w' is not a non-negative number"
    done
    name="d$wd-i$wi-g$wg"
    for o in "${f[@]:3}"; do
      [[ $o =~ ^[a-z_]+\.[a-z0-9_]+=.+$ ]] || sinsr_die "$grid:$n: '$o' is not a section.key=value override"
      name+="+$o"
    done
    name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._=+-' '_')
    [ -z "${seen[$name]:-}" ] || sinsr_die "$grid:$n: the same run as line ${seen[$name]} ($name)"
    seen[$name]=$n
    echo "$name ${f[*]}"
  done < "$grid"
}
