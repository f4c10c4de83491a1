#!/usr/bin/env bash
# The test command (README, CI): installs missing packages, configures, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --tests
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)"
(cd build && ctest -j"$(nproc)" --output-on-failure)
# GPU clusters build with -DSINSR_WITH_NCCL=ON: where the CUDA toolkit and NCCL are installed, prove that
# the NCCL communicator compiles and links (no GPU needed for that).
if [ -f /usr/local/cuda/include/nccl.h ]; then
  cmake -S . -B build-nccl -G Ninja -DSINSR_WITH_NCCL=ON -DSINSR_BUILD_TESTS=OFF -DSINSR_BUILD_BENCH=OFF
  cmake --build build-nccl -j"$(nproc)" --target sinsr nccl_check
  build-nccl/nccl_check
fi
