#!/usr/bin/env bash
# Fetches a pinned CUDA LibTorch 2.x from PyPI: the `torch` wheel, unpacked (not installed into any Python), plus
# the three CUDA libraries its libtorch_cuda.so needs that the CUDA 13.0 toolkit at /usr/local/cuda lacks
# (cuSPARSELt, NVSHMEM, cuFile). The wheel's own RPATH ($ORIGIN/../../nvidia/<lib>/lib) finds them because they
# are unpacked beside torch/ as pip would lay them out. Everything else (cudart, cuBLAS, cuDNN, NCCL, ...) comes
# from /usr/local/cuda, which the build adds to the run path.
#   tools/fetch-libtorch-cuda.sh         fetch if missing; print the prefix to give CMake (-DCMAKE_PREFIX_PATH=...)
#   SINSR_CACHE=DIR                      where it goes (default ~/.cache/sinsr); the repository never holds it
# Idempotent and atomic: a finished copy is a folder renamed into place, so an interrupted fetch leaves no half copy.
set -euo pipefail

# torch 2.11.0 is what the GPU machines we check on run (torch 2.11.0+cu130); PyPI's default Linux wheel of it
# targets CUDA 13.0, the toolkit installed here. The three extras are the versions that wheel's metadata pins.
TORCH_VERSION=2.11.0
EXTRAS=(nvidia-cusparselt-cu13==0.8.0 nvidia-nvshmem-cu13==3.4.5 'nvidia-cufile==1.15.1.6')

cache=${SINSR_CACHE:-$HOME/.cache/sinsr}
dest=$cache/libtorch-$TORCH_VERSION-cu130
# A prefix, not a Torch_DIR: with CMAKE_PREFIX_PATH every find_* of Torch's config (Caffe2, c10, ...) looks here
# before the system, so Debian's CPU LibTorch, when installed, is never mixed in.
prefix=$dest/torch
if [ -f "$prefix/share/cmake/Torch/TorchConfig.cmake" ]; then
  echo "$prefix"
  exit 0
fi

pip=()
if python3 -m pip --version >/dev/null 2>&1; then
  pip=(python3 -m pip)
else
  echo "fetch-libtorch-cuda: no pip; installing python3-pip" >&2
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q python3-pip >&2
  pip=(/usr/bin/python3 -m pip)
fi

mkdir -p "$cache"
wheels=$(mktemp -d "$cache/wheels.XXXXXX")
staging=$(mktemp -d "$cache/staging.XXXXXX")
trap 'rm -rf "$wheels" "$staging"' EXIT
echo "fetch-libtorch-cuda: downloading torch==$TORCH_VERSION and ${EXTRAS[*]} (about 760 MB)" >&2
# The C++ libraries are the same in every Python's wheel: pin one tag so any pip (any Python) fetches the same file.
"${pip[@]}" download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
  -d "$wheels" "torch==$TORCH_VERSION" >&2
"${pip[@]}" download -q --no-deps --only-binary=:all: -d "$wheels" "${EXTRAS[@]}" >&2

echo "fetch-libtorch-cuda: unpacking into $dest" >&2
# Only what a C++ build needs: libraries, headers and the CMake package (not the Python modules, ~1 GB less).
unzip -q "$wheels"/torch-*.whl 'torch/lib/*' 'torch/include/*' 'torch/share/*' -x 'torch/lib/libtorch_python.so' -d "$staging"
for w in "$wheels"/nvidia_*.whl; do unzip -q "$w" 'nvidia/*' -d "$staging"; done
rm -rf "$dest"
mv "$staging" "$dest"
echo "$prefix"
