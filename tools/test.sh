#!/usr/bin/env bash
# The test command (README, CI): installs missing packages, configures, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --tests
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)"
(cd build && ctest -j"$(nproc)" --output-on-failure)
# GPU clusters build against a CUDA LibTorch 2.x with -DSINSR_WITH_CUDA=ON -DSINSR_WITH_NCCL=ON. Where the CUDA toolkit
# and NCCL are installed (no GPU needed): fetch the pinned torch wheel (tools/fetch-libtorch-cuda.sh, cached outside
# the repository), build every target against it, prove that the NCCL communicator links and runs its no-GPU check,
# and run the parity tests (on the CPU) against LibTorch 2.x as well.
if [ -x /usr/local/cuda/bin/nvcc ] && [ -f /usr/local/cuda/include/nccl.h ]; then
  libtorch_cuda=$(bash tools/install-deps.sh --libtorch-cuda | tail -1)
  cmake -S . -B build-cuda -G Ninja -DSINSR_WITH_CUDA=ON -DSINSR_WITH_NCCL=ON -DCMAKE_PREFIX_PATH="$libtorch_cuda" \
    -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc
  cmake --build build-cuda -j"$(nproc)"
  build-cuda/nccl_check
  (cd build-cuda && ctest -j"$(nproc)" -R parity --output-on-failure)
fi
