#!/usr/bin/env bash
# GPU checks of the NCCL/CUDA code paths, on a GPU machine with no network: builds tools/gpu/CMakeLists.txt (core/dist,
# tools/nccl_check.cpp, core/nn, core/diffusion, trainer/sinsr_losses, tools/gpu/unet_cuda_check.cpp) against the
# machine's pip torch (CUDA LibTorch), its pip NCCL and the kit's Open MPI, then runs:
#   nccl_check --run         under mpirun -np 1; -np 2 (on one GPU NCCL refuses two ranks: expected to fail);
#                            -np 2 with a per-rank NCCL_HOSTID (the 2-rank path over loopback sockets on one GPU);
#   nccl_check_head --run    the committed versions of nccl_check.cpp and core/dist, -np 1 and -np 2;
#   unet_cuda_check          CUDA against CPU (tiny UNet forward, loss + gradients, full-size UNet, VQ decode), timings.
# Preparation, on a machine with git and apt (Debian 12): bash tools/gpu-kit.sh  (fills .devkit/, see its header).
# On the GPU machine, from the repository root, carrying .devkit/root .devkit/src .devkit/head:
#   set -o pipefail; bash tools/gpu-check.sh 2>&1 | tee $OUT/log.txt
# Environment: PYTHON (the python3 with torch; default /opt/torch/.venv/bin/python3, else python3), GPUKIT (.devkit),
# BUILD (/tmp/gpukit-build), OUT (where configure.log, build*.log and bin.tar.gz go; default $BUILD), RUNS (timing
# runs, 20), SKIP_BUILD=1 (reuse $BUILD/bin, e.g. unpacked from a previous bin.tar.gz).
set -uo pipefail
K=$(cd "${GPUKIT:-.devkit}" && pwd)
B=${BUILD:-/tmp/gpukit-build}
O=${OUT:-$B}
mkdir -p "$B/bin" "$O"
PY=${PYTHON:-/opt/torch/.venv/bin/python3}
[ -x "$PY" ] || PY=python3
step() { echo; echo "=== $* ($(date +%T))"; }
run() { echo; echo "--- $*"; local t0; t0=$(date +%s%N); "$@"; local rc=$?; echo "rc=$rc ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"; }

step "machine"
nproc; grep PRETTY_NAME /etc/os-release
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm,clocks.max.sm --format=csv 2>&1 | head -3
nvcc --version 2>&1 | tail -1; cmake --version | head -1; echo "ninja $(ninja --version)"; g++ --version | head -1
command -v mpirun || echo "no mpirun on the machine (the kit brings Open MPI)"
# One interpreter start: versions for the log, paths as shell assignments.
eval "$("$PY" - <<'EOF'
import os, sys, torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(),
      "nccl", ".".join(map(str, torch.cuda.nccl.version())), "cxx11abi", torch.compiled_with_cxx11_abi(), file=sys.stderr)
print(f"TORCH_DIR='{os.path.dirname(torch.__file__)}'; TORCH_CMAKE='{torch.utils.cmake_prefix_path}'; "
      f"ABI={int(torch.compiled_with_cxx11_abi())}")
EOF
)"

step "locate"
SITE=$(dirname "$TORCH_DIR")
NCCL_H=$(find "$SITE/nvidia" -name nccl.h 2>/dev/null | head -1)
NCCL_LIB=$(find "$SITE/nvidia" -name 'libnccl.so*' 2>/dev/null | sort | head -1)
[ -n "$NCCL_H" ] || NCCL_H=$(ls /usr/local/cuda/include/nccl.h 2>/dev/null)
[ -n "$NCCL_LIB" ] || NCCL_LIB=$(ls /usr/local/cuda/lib*/libnccl.so.2 2>/dev/null | head -1)
CUDA_INC=/usr/local/cuda/include
[ -f $CUDA_INC/cuda_runtime.h ] || CUDA_INC=$(dirname "$(find "$SITE/nvidia" -name cuda_runtime.h | head -1)")
# The CUDA runtime torch itself loads (pip's), else the toolkit's.
CUDART=$(find "$SITE/nvidia" -name 'libcudart.so.1*' 2>/dev/null | sort | head -1)
[ -n "$CUDART" ] || CUDART=$(ls /usr/local/cuda/lib64/libcudart.so 2>/dev/null)
L=$K/root/usr/lib/x86_64-linux-gnu
echo "torch $TORCH_DIR (cxx11 abi $ABI)"; echo "nccl.h $NCCL_H"; echo "libnccl $NCCL_LIB"; echo "cuda include $CUDA_INC"
echo "cudart $CUDART"; ls /usr/local/cuda/lib64/libnccl* /usr/local/cuda/include/nccl.h 2>/dev/null

# The kit's Open MPI, relocated.
export OPAL_PREFIX=$K/root/usr PATH=$K/root/usr/bin:$PATH
export LD_LIBRARY_PATH=$L:$L/openmpi/lib:$TORCH_DIR/lib:$(dirname "$NCCL_LIB"):$(dirname "$CUDART")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mca_base_component_show_load_errors=0
export PMIX_MCA_pcompress_base_silence_warning=1 OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="timeout -k 5 60 orterun --oversubscribe --bind-to none"

collect() { for x in "$@"; do [ -x $B/tc/$x ] && cp $B/tc/$x $B/bin/; done; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  step "configure"
  common=(-G Ninja -DSINSR_SRC=$K/src -DSINSR_HEAD_SRC=$K/head -DMPI_INCLUDE_DIR=$L/openmpi/include
          -DMPI_LIBRARY=$L/libmpi.so.40 -DNCCL_INCLUDE_DIR=$(dirname "$NCCL_H") -DNCCL_LIBRARY=$NCCL_LIB
          -DCUDA_INCLUDE_DIR=$CUDA_INC -DCUDART_LIBRARY=$CUDART)
  if ! timeout 120 cmake -S $K/src/tools/gpu -B $B/tc "${common[@]}" -DCMAKE_PREFIX_PATH="$TORCH_CMAKE" >$O/configure.log 2>&1; then
    echo "find_package(Torch) configure FAILED (tail of configure.log below); trying TORCH_MANUAL_ROOT"
    tail -25 $O/configure.log
    rm -rf $B/tc
    timeout 120 cmake -S $K/src/tools/gpu -B $B/tc "${common[@]}" -DTORCH_MANUAL_ROOT=$TORCH_DIR -DTORCH_CXX11_ABI=$ABI \
      >>$O/configure.log 2>&1 || { tail -30 $O/configure.log; echo "configure FAILED"; }
  fi
  grep -E 'torch libraries|Found Torch|CUDA' $O/configure.log | head
  step "build nccl_check, nccl_check_head"
  t0=$(date +%s)
  timeout 200 ninja -C $B/tc -k 0 -j "$(nproc)" nccl_check nccl_check_head >$O/build-nccl.log 2>&1
  echo "ninja rc $? in $(( $(date +%s) - t0 )) s"; grep -E 'error|FAILED' $O/build-nccl.log | head -20
  collect nccl_check nccl_check_head
  # The networks build while the NCCL checks run (those time nothing).
  (timeout 240 ninja -C $B/tc -k 0 -j "$(nproc)" unet_cuda_check >$O/build-unet.log 2>&1; echo "ninja rc $?" >>$O/build-unet.log) &
  BUILD_PID=$!
fi
ls -la $B/bin

if [ -x $B/bin/nccl_check ]; then
  step "nccl_check"
  run $B/bin/nccl_check
  run $MPIRUN -np 1 $B/bin/nccl_check --run
  run env NCCL_DEBUG=WARN $MPIRUN -np 2 $B/bin/nccl_check --run
  # Each rank claims another host: NCCL then takes the ranks for two nodes and connects them over sockets (loopback).
  run env NCCL_DEBUG=WARN NCCL_SOCKET_IFNAME=lo NCCL_IB_DISABLE=1 $MPIRUN -np 2 \
    bash -c 'NCCL_HOSTID=gpukit-$OMPI_COMM_WORLD_RANK exec "$0" --run' $B/bin/nccl_check
fi
if [ -x $B/bin/nccl_check_head ]; then
  step "nccl_check_head (committed tools/nccl_check.cpp + core/dist)"
  run $MPIRUN -np 1 $B/bin/nccl_check_head --run
  run env NCCL_DEBUG=WARN $MPIRUN -np 2 $B/bin/nccl_check_head --run
fi
if [ -n "${BUILD_PID:-}" ]; then
  step "build unet_cuda_check (waiting)"
  wait $BUILD_PID
  tail -1 $O/build-unet.log; grep -E 'error|FAILED' $O/build-unet.log | head -20
  collect unet_cuda_check
  tar -czf $O/bin.tar.gz -C $B bin && ls -la $O/bin.tar.gz
fi
if [ -x $B/bin/unet_cuda_check ]; then
  step "unet_cuda_check"
  run timeout -k 5 150 $B/bin/unet_cuda_check --tiny $K/src/configs/tiny.ini --runs "${RUNS:-20}"
fi
step "done"
nvidia-smi --query-gpu=memory.used,clocks.sm --format=csv 2>&1 | tail -1
