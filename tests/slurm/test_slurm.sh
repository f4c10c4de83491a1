#!/usr/bin/env bash
# Slurm integration test (ctest -L slurm): a real single-node cluster (slurm/local/up.sh, private ports and
# munged, state in a temporary folder) runs, on the tiny config:
#   1. slurm/pipeline.sh: datagen (2 tasks) -> train (2 tasks) -> eval, chained with afterok;
#   2. slurm/sweep.sh: a 3-run job array on the pipeline's pair set, then its sinsr sweep-report job;
#   3. a preemption round trip: the same training as 1. in its own job, USR1 to its batch shell
#      (scancel --signal=USR1 --batch, what --signal=B:USR1@T does), the ranks checkpoint and exit 75,
#      the job requeues itself, resumes and ends with a student.pth byte-identical to 1.'s
#      (SINSR_THREADS=1, same rank count).
# The cluster is torn down on every exit (trap), and down.sh fails the test if a daemon survives.
# Exit 77 (ctest: skipped) when not root or Slurm/munge are not installed.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the local Slurm cluster needs root (its daemons run as root)"
for exe in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged /usr/bin/sbatch /usr/bin/srun; do
  [ -x "$exe" ] || skip "$exe not installed (apt-get install slurmctld slurmd slurm-client munge, or tools/install-deps.sh --tests)"
done
export SINSR_BIN=${SINSR_BIN:-$repo/build/sinsr}
[ -x "$SINSR_BIN" ] || { echo "FAIL: $SINSR_BIN not built"; exit 1; }

t_start=$SECONDS
work=$(mktemp -d /tmp/sinsr_slurm_test.XXXXXX)
chmod 755 "$work"  # the private munged (user munge) lives below it
export SLURM_ROOT=$work/cluster SLURM_LOCAL_PORT=auto
logs=$work/logs
failed=0

say() { echo "[$(printf '%3d' $((SECONDS - t_start)))s] $*"; }
fail() {
  echo "FAIL: $*"
  failed=1
  exit 1
}
cleanup() {
  local rc=$?
  [ $failed = 1 ] && rc=1
  if [ $rc -ne 0 ]; then
    echo "---- job logs ($work kept) ----"
    for f in "$logs"/* "$work"/sweep/logs/*; do
      [ -f "$f" ] && { echo "== $f"; tail -n 25 "$f"; }
    done
    [ -f "$SLURM_ROOT/log/slurmctld.log" ] && { echo "== slurmctld.log"; tail -n 15 "$SLURM_ROOT/log/slurmctld.log"; }
  fi
  say "tearing the cluster down"
  if ! slurm/local/down.sh; then
    echo "FAIL: down.sh left something running"
    rc=1
  fi
  [ $rc -eq 0 ] && rm -rf "$work"
  say "exit $rc"
  exit $rc
}
trap cleanup EXIT

# Waits until none of the jobs is queued or running (at most $1 seconds), then checks each ended COMPLETED
# with exit code 0.
wait_completed() {
  local limit=$1 ids
  shift
  ids=$(IFS=,; echo "$*")
  local deadline=$((SECONDS + limit))
  while [ -n "$(squeue -h -j "$ids" 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || fail "jobs $ids still queued or running after $limit s: $(squeue -h -j "$ids" -o '%i %T %R' | tr '\n' ';')"
    sleep 0.5
  done
  local id state
  for id in "$@"; do
    state=$(scontrol show job -o "$id" | grep -oE '(JobState|ExitCode)=[^ ]+' | tr '\n' ' ')
    [[ $state == *"JobState=COMPLETED"*"ExitCode=0:0"* ]] || fail "job $id ended with $state"
  done
}
latest_step() { [ -e "$1/ckpt/latest" ] && head -c 9 "$1/ckpt/latest" | sed 's/^0*//' || echo 0; }

say "starting the local cluster in $SLURM_ROOT"
slurm/local/up.sh || fail "slurm/local/up.sh failed"
source "$SLURM_ROOT/env.sh"
srun --mpi=list 2>&1 | grep -q pmix || fail "srun has no pmix plugin: $(srun --mpi=list 2>&1 | tr '\n' ' ')"

# Inputs: the tiny networks, 8 pairs from the bundled photos, a one-image benchmark scored by PSNR and SSIM.
export SINSR_THREADS=1
nets=(--teacher tests/fixtures/parity/unet_small.pth --autoencoder tests/fixtures/parity/vq_small.pth)
mkdir -p "$work/bench/lq" "$work/bench/gt" "$logs"
first=$(ls data/benchmarks/val_sr_small/lq | head -n 1)
cp "data/benchmarks/val_sr_small/lq/$first" "$work/bench/lq/"
cp "data/benchmarks/val_sr_small/gt/$first" "$work/bench/gt/"
printf '[benchmark]\nname = one\nlq = bench/lq\ngt = bench/gt\nmetrics = psnr,ssim\npsnr_ssim_variants = pyiqa-ycbcr\n' > "$work/bench.ini"
train_args="--train.steps=24 --train.batch_size=4 --train.microbatch=2 --train.val_samples=2 --train.ckpt_every=2 --train.keep_ckpts=3 --train.log_every=1 --train.warmup=1"
pipeline=(slurm/pipeline.sh configs/tiny.ini --hr data/benchmarks/val_sr_small/gt --num-samples 8 "${nets[@]}"
          --benchmark "$work/bench.ini" --run "$work/run" --data "$work/pairs" --logs "$logs"
          --datagen-sbatch "--ntasks=2" --train-sbatch "--ntasks=2" --train-args "$train_args")

# --dry-run prints three chained sbatch commands and submits nothing.
dry=$("${pipeline[@]}" --dry-run) || fail "pipeline.sh --dry-run failed"
[ "$(grep -c 'sbatch --parsable' <<< "$dry")" = 3 ] || fail "pipeline.sh --dry-run: expected 3 sbatch lines:\n$dry"
grep -q -- '--dependency=afterok:$DATAGEN_JOB' <<< "$dry" && grep -q -- '--dependency=afterok:$TRAIN_JOB' <<< "$dry" ||
  fail "pipeline.sh --dry-run: no afterok chain:\n$dry"
[ -z "$(squeue -h)" ] || fail "--dry-run submitted jobs"

say "submitting the pipeline, the sweep and the preemption job"
out=$("${pipeline[@]}") || fail "pipeline.sh failed: $out"
echo "$out"
datagen_job=$(awk '$1 == "datagen" {print $2}' <<< "$out")
train_job=$(awk '$1 == "train" {print $2}' <<< "$out")
eval_job=$(awk '$1 == "eval" {print $2}' <<< "$out")
[ -n "$datagen_job" ] && [ -n "$train_job" ] && [ -n "$eval_job" ] || fail "pipeline.sh did not print three job ids"
grep -q "afterok:$datagen_job" <<< "$(scontrol show job -o "$train_job")" ||
  [ "$(scontrol show job -o "$train_job" | grep -o 'JobState=[A-Z]*')" != JobState=PENDING ] ||
  fail "train job $train_job does not depend on $datagen_job"

# The same training in its own folder, to be preempted; waits for the pairs like the pipeline's.
preempt_job=$(env CONFIG=configs/tiny.ini DATA="$work/pairs" RUN="$work/preempt" TEACHER=tests/fixtures/parity/unet_small.pth \
  sbatch --parsable --ntasks=2 --output="$logs/%x-preempt-%j.out" --dependency=afterok:"$datagen_job" --kill-on-invalid-dep=yes \
  slurm/train.sbatch $train_args) || fail "sbatch of the preemption job failed"

printf '# a comment line\n1 1 1\n1 0.5 1   # half the inverse loss\n\n1 1 0 train.lr=1e-4\n' > "$work/grid.txt"
sweep_out=$(slurm/sweep.sh "$work/grid.txt" "$work/sweep" --data "$work/pairs" "${nets[@]}" --benchmark "$work/bench.ini" \
  --config configs/tiny.ini --after "$datagen_job" \
  --train-args "--train.steps=4 --train.batch_size=2 --train.microbatch=2 --train.val_samples=2 --train.ckpt_every=2 --train.warmup=1") ||
  fail "sweep.sh failed: $sweep_out"
echo "$sweep_out"
sweep_job=$(awk '$1 == "sweep" {print $2}' <<< "$sweep_out")
report_job=$(awk '$1 == "report" {print $2}' <<< "$sweep_out")

# Preemption: once the job has checkpointed step 4, USR1 to its batch shell.
deadline=$((SECONDS + 300))
until [ "$(latest_step "$work/preempt")" -ge 4 ]; do
  [ $SECONDS -lt $deadline ] || fail "the preemption job never reached step 4"
  [ -n "$(squeue -h -j "$preempt_job")" ] || fail "the preemption job ended before it could be signalled"
  sleep 0.2
done
say "preemption job $preempt_job at step $(latest_step "$work/preempt"): scancel --signal=USR1 --batch"
scancel --signal=USR1 --batch "$preempt_job" || fail "scancel --signal=USR1 failed"

wait_completed 400 "$datagen_job" "$train_job" "$eval_job" "$preempt_job" "${sweep_job}_0" "${sweep_job}_1" "${sweep_job}_2" "$report_job"
say "all jobs completed"

# 1. The pipeline: 2 ranks in datagen and train, logs where pipeline.sh said, eval of the 3 kept checkpoints.
grep -q "2 to make on 2 rank(s)" "$logs/sinsr-datagen-$datagen_job.out" || fail "datagen did not run on 2 ranks"
grep -q "(2 rank(s) x 2" "$logs/sinsr-train-$train_job.out" || fail "train did not run on 2 ranks"
[ "$(latest_step "$work/run")" = 24 ] || fail "the pipeline's run did not reach step 24"
rows=$(grep -c '"checkpoint"' "$work/run/eval/results.json" 2>/dev/null)
[ "$rows" = 12 ] || fail "eval: expected 12 rows (3 checkpoints x student/ema x psnr/ssim), found ${rows:-none}"
say "pipeline ok: datagen, train (2 ranks each) and eval ($rows rows)"

# 2. The sweep: one run folder with results per grid line, the report names the best setting per metric.
for run in d1-i1-g1 d1-i0.5-g1 "d1-i1-g0+train.lr=1e-4"; do
  [ -s "$work/sweep/$run/eval/results.json" ] || fail "sweep run $run has no eval/results.json"
done
report=$(cat "$work"/sweep/logs/sinsr-sweep-report-"$report_job".out)
grep -q "3 run(s) with results" <<< "$report" || fail "sweep-report: $report"
[ "$(grep -c '^best one: ' <<< "$report")" = 2 ] || fail "sweep-report names no best setting per metric: $report"
[ "$(wc -l < "$work/sweep/report/leaderboard.csv")" = 7 ] || fail "leaderboard.csv: expected a header and 3 runs x 2 metrics"
grep -q "## Best setting per metric" "$work/sweep/report/leaderboard.md" || fail "leaderboard.md has no best-setting table"
grep -q "lr" "$work/sweep/report/leaderboard.csv" || fail "leaderboard.csv has no column for the overridden train.lr"
[ -s "$work/sweep/report/plots/one_psnr_pyiqa-ycbcr.png" ] || fail "no PSNR plot"
mkdir -p "$work/empty/somerun"
touch "$work/empty/somerun/config.ini"
msg=$("$SINSR_BIN" sweep-report "$work/empty" 2>&1) && fail "sweep-report of a sweep without results succeeded"
grep -q "has eval results yet" <<< "$msg" || fail "sweep-report without results: unclear message: $msg"
say "sweep ok: 3 array tasks, leaderboard and plots"

# 3. Preemption: exit 75 after USR1, requeued (restart 1), resumed, identical final weights.
plog=$logs/sinsr-train-preempt-$preempt_job.out
grep -q "USR1 received" "$plog" || fail "the batch script did not see USR1"
grep -q "exit 75 (requeue" "$plog" || fail "the trainer did not checkpoint and exit 75"
grep -q "step exit code 75" "$plog" || fail "srun did not report exit code 75"
grep -q "requeueing job $preempt_job" "$plog" || fail "the job did not requeue itself"
grep -q "SLURM_RESTART_COUNT=1" "$plog" || fail "no second start (SLURM_RESTART_COUNT=1) in the log"
grep -q "train: resuming from" "$plog" || fail "the second start did not resume from the checkpoint"
[ "$(scontrol show job -o "$preempt_job" | grep -o 'Restarts=[0-9]*')" = Restarts=1 ] || fail "Slurm does not count one restart"
for f in student.pth ema.pth; do
  cmp "$work/run/ckpt/000000024/$f" "$work/preempt/ckpt/000000024/$f" ||
    fail "$f after preemption and resume differs from the uninterrupted run's"
done
say "preemption ok: USR1 -> exit 75 -> requeue -> resume; student.pth and ema.pth at step 24 byte-identical"
echo "PASS"
