#!/usr/bin/env bash
# The GPU kit's run: builds every sinsr target from the project's own CMakeLists against a CUDA LibTorch and the
# kit's dependency prefix (tools/gpu-kit.sh), proves the NCCL communicator and the CUDA-graph replay (against eager),
# then measures with tools/gpu_measure.py:
# (a) the device against the CPU on the tiny config, (b) full-size throughput, MFU and peak memory. Results go to
# $OUT/gpu-results.json and $OUT/gpu-results.md, the logs beside them.
#
#   GPU machine (no network; carry .devkit, made by `bash tools/gpu-kit.sh --pack`):
#       bash tools/gpu-check.sh            torch from /opt/torch/.venv (or $PYTHON), NCCL from its pip wheels
#   CPU mode (any development machine; the test command runs it):
#       bash tools/gpu-check.sh --cpu      torch from tools/fetch-libtorch-cuda.sh, the kit prefix from its cache,
#                                          NCCL from /usr/local/cuda; the same build, then (a) and (b) on the CPU
#                                          with the tiny config
# Environment: BUILD (build folder; default /tmp/gpukit-build, build-cuda with --cpu), OUT (default $BUILD/gpu-check),
# KIT (an unpacked prefix to use), PYTHON (the python3 with torch, numpy and h5py), SKIP_BUILD=1 (measure only).
# Exit: 0 all built and every (a) comparison within its tolerance; 1 otherwise (the log says which step).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mode=gpu
for arg in "$@"; do
  case "$arg" in
    --cpu) mode=cpu ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "gpu-check.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
step() { echo; echo "=== $* ($(date +%T))"; }
die() { echo "gpu-check: $*" >&2; exit 1; }

if [ $mode = gpu ]; then
  B=${BUILD:-/tmp/gpukit-build}
  PY=${PYTHON:-/opt/torch/.venv/bin/python3}
  [ -x "$PY" ] || PY=python3
else
  B=${BUILD:-build-cuda}
  PY=${PYTHON:-/usr/bin/python3}
fi
O=${OUT:-$B/gpu-check}
mkdir -p "$B" "$O"
B=$(cd "$B" && pwd) O=$(cd "$O" && pwd)

step "machine ($mode mode)"
nproc; grep PRETTY_NAME /etc/os-release
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
[ -x "$nvcc" ] || die "no nvcc on PATH or at /usr/local/cuda/bin (the CUDA toolkit is needed to build)"
"$nvcc" --version | tail -1; cmake --version | head -1; echo "ninja $(ninja --version)"; g++ --version | head -1

step "dependencies"
if [ -n "${KIT:-}" ]; then
  kit=$KIT
elif [ $mode = gpu ]; then
  [ -f .devkit/deps.tar.xz ] || die ".devkit/deps.tar.xz missing: run 'bash tools/gpu-kit.sh --pack' on a development machine and carry .devkit"
  kit=/tmp/gpukit-deps
  if [ ! -f $kit/deps.cmake ]; then
    # xz, or Python's lzma where an image has no xz.
    unxz_() { if command -v xz >/dev/null; then xz -dc "$1"; else "$PY" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi; }
    rm -rf $kit.tmp && mkdir -p $kit.tmp && unxz_ .devkit/deps.tar.xz | tar -x -C $kit.tmp && mv $kit.tmp $kit ||
      die "could not unpack .devkit/deps.tar.xz into $kit"
  fi
else
  kit=$(bash tools/gpu-kit.sh | tail -1) || die "tools/gpu-kit.sh failed"
fi
echo "kit prefix: $kit"
cmake_args=(-G Ninja -C "$kit/deps.cmake" -DSINSR_WITH_CUDA=ON -DSINSR_WITH_NCCL=ON -DCMAKE_CUDA_COMPILER="$nvcc")
if [ $mode = gpu ]; then
  # pip's torch is the CUDA LibTorch; pip's NCCL (nvidia-nccl-cu13) the one torch itself loads.
  eval "$("$PY" - <<'EOF'
import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
h = sorted(glob.glob(f"{site}/nvidia/**/include/nccl.h", recursive=True))
l = sorted(glob.glob(f"{site}/nvidia/**/lib/libnccl.so*", recursive=True))
print(f"torch_prefix='{torch.utils.cmake_prefix_path}'; nccl_h='{h[0] if h else ''}'; nccl_lib='{l[0] if l else ''}'")
print(f"echo 'torch {torch.__version__} cuda {torch.version.cuda} gpu {torch.cuda.is_available()}'")
EOF
)" || die "$PY cannot import torch (set PYTHON to the python3 that has the CUDA torch)"
  [ -n "$nccl_h" ] && cmake_args+=(-DNCCL_INCLUDE_DIR="$(dirname "$nccl_h")" -DNCCL_LIBRARY="$nccl_lib")
else
  torch_prefix=$(bash tools/fetch-libtorch-cuda.sh | tail -1) || die "tools/fetch-libtorch-cuda.sh failed"
fi
echo "torch prefix: $torch_prefix"
cmake_args+=(-DCMAKE_PREFIX_PATH="$torch_prefix")

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  step "configure $B"
  # A cache from another set of dependencies would keep its paths (cmake -C never overrides cached entries).
  if [ -f "$B/CMakeCache.txt" ] && ! grep -q "^OpenCV_DIR:PATH=$kit/" "$B/CMakeCache.txt"; then
    echo "$B was configured with other dependencies: starting its configuration afresh"
    rm -rf "$B/CMakeCache.txt" "$B/CMakeFiles"
  fi
  cmake -S . -B "$B" "${cmake_args[@]}" >"$O/configure.log" 2>&1 || { tail -30 "$O/configure.log"; die "configure failed ($O/configure.log)"; }
  step "build (every target)"
  t0=$(date +%s)
  cmake --build "$B" -j"$(nproc)" >"$O/build.log" 2>&1 || { grep -E 'error|FAILED' "$O/build.log" | head -30; die "build failed ($O/build.log)"; }
  echo "built in $(( $(date +%s) - t0 )) s"
fi
# The kit's promise: nothing of the build machine's OpenCV, HDF5, Boost, OpenSSL or MPI got in.
if ldd "$B/sinsr" | grep -E 'opencv|hdf5|boost|libmpi|libcrypto' | grep -v "$kit" ; then
  die "$B/sinsr links libraries outside the kit prefix (above)"
fi
echo "sinsr links OpenCV, HDF5, Boost and libcrypto statically and MPI from the kit: ok"

# shellcheck source=/dev/null
source "$kit/env.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_vader_single_copy_mechanism=none
step "nccl_check"
"$B/nccl_check" || die "nccl_check failed"
if [ $mode = gpu ]; then
  MPIRUN="timeout -k 5 90 mpirun --oversubscribe --bind-to none"
  $MPIRUN -np 1 "$B/nccl_check" --run || die "nccl_check --run failed on 1 rank"
  # NCCL refuses two ranks on one GPU unless each claims another host: then it connects them over loopback sockets.
  NCCL_SOCKET_IFNAME=lo NCCL_IB_DISABLE=1 $MPIRUN -np 2 \
    bash -c 'NCCL_HOSTID=gpukit-$OMPI_COMM_WORLD_RANK exec "$0" --run' "$B/nccl_check" || die "nccl_check --run failed on 2 ranks"
fi

if [ $mode = gpu ]; then
  step "CUDA graphs: replay against eager"
  "$B/tests/unit_tests" --gtest_filter='CudaGraph.*' || die "the CUDA graph test failed"
fi

step "measure"
device=cuda; [ $mode = cpu ] && device=cpu
quick=(); [ $mode = cpu ] && quick=(--quick)
"$PY" tools/gpu_measure.py --build "$B" --device $device "${quick[@]}" --out "$O" || die "gpu_measure.py failed (see above)"
step "done"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=memory.used --format=csv,noheader
exit 0
