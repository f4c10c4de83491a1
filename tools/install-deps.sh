#!/usr/bin/env bash
# Installs the Debian 12 packages sinsr-cluster needs; only what is missing, so a second run takes a second.
#   tools/install-deps.sh            build + run dependencies
#   tools/install-deps.sh --tests    plus what the test suite needs (python3-torch, python3-h5py: interop tests;
#                                    slurmctld, slurmd, slurm-client, munge: the Slurm integration test;
#                                    clang-format: the style check)
#   tools/install-deps.sh --libtorch-cuda   also fetch the pinned CUDA LibTorch 2.x (tools/fetch-libtorch-cuda.sh: the
#                                    torch wheel from PyPI, unpacked under ~/.cache/sinsr; prints the CMake prefix)
#   tools/install-deps.sh --gpu-kit  plus what tools/gpu-kit.sh needs to build the GPU kit's static dependencies
# Runs apt-get as root, or through sudo when available.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache
  libtorch-dev libhdf5-dev hdf5-tools libopencv-dev
  libopenmpi-dev openmpi-bin libboost-program-options-dev libgtest-dev nlohmann-json3-dev libssl-dev
  # OpenBLAS behind Debian's libblas.so.3: libtorch's matmuls get ~5x faster than the reference BLAS.
  libopenblas0-pthread
  # The headers of the oneDNN Debian's libtorch runs on: Winograd 3x3 convolutions on CPUs (core/nn/conv3x3.h).
  libdnnl-dev
)
libtorch_cuda=0
for arg in "$@"; do
  case "$arg" in
    --tests) packages+=(python3-torch python3-h5py slurmctld slurmd slurm-client munge clang-format) ;;
    --libtorch-cuda) libtorch_cuda=1 ;;
    --gpu-kit) packages+=(dpkg-dev xz-utils libpng-dev libjpeg62-turbo-dev zlib1g-dev libaec-dev) ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
fetch_libtorch_cuda() {
  [ "$libtorch_cuda" -eq 0 ] || bash "$(dirname "$0")/fetch-libtorch-cuda.sh"
}
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  fetch_libtorch_cuda
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q "${missing[@]}"
fetch_libtorch_cuda
