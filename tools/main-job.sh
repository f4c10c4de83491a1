#!/usr/bin/env bash
# The main job (README): installs missing packages, builds sinsr, then runs the end-to-end demo
# (`sinsr demo`: fetch the demo photos, teacher pairs from the bundled teacher, distil a one-step student,
# compare bicubic / teacher / student on held-out photos) into demo-out/, report in demo-out/report.html.
# Extra arguments go to `sinsr demo` (e.g. --out DIR, --pairs N; `build/sinsr demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)" --target sinsr
# The demo fetches its photos with `apt-get download`, which needs the package lists (a fresh container may
# have none, and install-deps.sh updates them only when it installs something).
if [ ! -d data/demo-photos/train ] && ! apt-cache show python3-skimage >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get update -q; elif command -v sudo >/dev/null; then sudo apt-get update -q; fi
fi
build/sinsr demo "$@"
