#!/usr/bin/env bash
# The main job (README): installs missing packages, builds, then runs the end-to-end job.
# Until the end-to-end demo exists (issue #9) it checks the bundled parity weights and super-resolves a few
# real photos with them (../shared/data/realset65, when present) into build/demo-sr/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)" --target sinsr
weights="--config configs/tiny.ini --model tests/fixtures/parity/unet_small.pth --autoencoder tests/fixtures/parity/vq_small.pth"
build/sinsr inspect --check unet --config configs/tiny.ini tests/fixtures/parity/unet_small.pth
build/sinsr inspect --check autoencoder --config configs/tiny.ini tests/fixtures/parity/vq_small.pth
photos=../shared/data/realset65
if [ -d "$photos" ]; then
  rm -rf build/demo-in && mkdir -p build/demo-in
  cp "$photos"/{Lincoln.png,chip.png,frog.png,comic1.png} build/demo-in/
  # shellcheck disable=SC2086
  build/sinsr infer -i build/demo-in -o build/demo-sr $weights
  echo "main-job: outputs in build/demo-sr/"
fi
