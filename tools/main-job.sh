#!/usr/bin/env bash
# The main job (README): installs missing packages, builds, then runs the end-to-end job.
# Until inference and the end-to-end demo exist, the job inspects the bundled parity weights and loads
# them strictly into the configured networks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)" --target sinsr
build/sinsr inspect --check unet --config configs/tiny.ini tests/fixtures/parity/unet_small.pth
build/sinsr inspect --check autoencoder --config configs/tiny.ini tests/fixtures/parity/vq_small.pth
