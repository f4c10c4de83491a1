#!/usr/bin/env bash
# The test command (README, CI): installs missing packages, configures, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --tests
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)"
(cd build && ctest -j"$(nproc)" --output-on-failure)
# GPU clusters build against a CUDA LibTorch 2.x with -DSINSR_WITH_CUDA=ON -DSINSR_WITH_NCCL=ON. Where the CUDA toolkit
# and NCCL are installed (no GPU needed), the GPU kit runs in its CPU mode (tools/gpu-check.sh --cpu): it builds every
# target into build-cuda from the project's CMakeLists against the pinned CUDA LibTorch wheel and the kit's static
# dependencies (tools/gpu-kit.sh, cached outside the repository), checks the NCCL communicator links and runs, and
# measures on the CPU (tools/gpu_measure.py --quick). Then every test runs against LibTorch 2.x as well.
if [ -x /usr/local/cuda/bin/nvcc ] && [ -f /usr/local/cuda/include/nccl.h ]; then
  bash tools/install-deps.sh --gpu-kit
  PYTHON=/usr/bin/python3 bash tools/gpu-check.sh --cpu
  (cd build-cuda && ctest -j"$(nproc)" --output-on-failure)
fi
