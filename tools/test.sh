#!/usr/bin/env bash
# The test command (README, CI): installs missing packages, configures, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --tests
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)"
cd build && ctest -j"$(nproc)" --output-on-failure
