#!/usr/bin/env bash
# Prepares .devkit/ (ignored through .git/info/exclude) for tools/gpu-check.sh on a GPU machine that has a CUDA
# LibTorch (pip torch), NCCL and the CUDA toolkit but no network and no MPI, HDF5, OpenCV, Boost or GTest:
#   .devkit/src   a snapshot of the sources the checks build: `git archive HEAD` of core/{dist,util,nn,diffusion},
#                 trainer/sinsr_losses.*, configs/tiny.ini, with the working tree's core/dist/*, tools/nccl_check.cpp
#                 and tools/gpu/ copied over it (so edits elsewhere in the tree, finished or not, do not matter);
#   .devkit/head  the committed core/dist and tools/nccl_check.cpp (built as nccl_check_head, to compare);
#   .devkit/root  Debian 12's Open MPI 4.1.4 and its libraries, unpacked (not installed), about 17 MB.
# Run here (Debian 12, apt reachable), from anywhere in the repository:  bash tools/gpu-kit.sh
# then on the device machine, carrying .devkit/root .devkit/src .devkit/head:  bash tools/gpu-check.sh
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
K=.devkit
grep -qx '/.devkit/' .git/info/exclude 2>/dev/null || echo '/.devkit/' >>.git/info/exclude

rm -rf $K/src $K/head
mkdir -p $K/src $K/head $K/debs
git archive HEAD core/dist core/util core/nn core/diffusion trainer/sinsr_losses.cpp trainer/sinsr_losses.h \
  configs/tiny.ini tools/nccl_check.cpp | tar -x -C $K/src
git archive HEAD core/dist tools/nccl_check.cpp | tar -x -C $K/head
cp core/dist/* $K/src/core/dist/
cp tools/nccl_check.cpp $K/src/tools/
cp -r tools/gpu $K/src/tools/

if [ ! -x $K/root/usr/bin/orterun ]; then
  pkgs="libopenmpi3 openmpi-bin openmpi-common libopenmpi-dev libevent-core-2.1-7 libevent-pthreads-2.1-7 libfabric1
        libhwloc15 libibverbs1 libnl-3-200 libnl-route-3-200 libpmix2 libpsm-infinipath1 libpsm2-2 libucx0 libmunge2
        libnuma1 librdmacm1"
  (cd $K/debs && apt-get download $pkgs)
  rm -rf $K/root && mkdir -p $K/root
  for f in $K/debs/*.deb; do dpkg-deb -x "$f" $K/root; done
  # Only C MPI over shared memory/TCP is used: drop docs, Fortran, Java, OpenSHMEM and the internal headers.
  L=$K/root/usr/lib/x86_64-linux-gnu
  rm -rf $K/root/usr/share/doc $K/root/usr/share/man $K/root/usr/share/lintian $L/fortran
  find $K/root -name '*.a' -delete
  rm -f $L/liboshmem* $L/libmpi_java* $L/libmpi_mpifh* $L/libmpi_usempi* $L/openmpi/lib/liboshmem* \
    $L/openmpi/lib/libmpi_java* $L/openmpi/lib/libmpi_mpifh* $L/openmpi/lib/libmpi_usempi*
  rm -f $L/openmpi/lib/openmpi3/mca_{spml,sshmem,scoll,atomic,memheap}_*
  inc=$L/openmpi/include
  mv $inc/openmpi/ompi/mpi/cxx $K/cxx.tmp && rm -rf $inc/openmpi $inc/openshmem $inc/mpp $inc/*shmem* $inc/mpif*
  mkdir -p $inc/openmpi/ompi/mpi && mv $K/cxx.tmp $inc/openmpi/ompi/mpi/cxx
fi
du -sh $K/root $K/src $K/head
echo "carry: .devkit/root .devkit/src .devkit/head; run: bash tools/gpu-check.sh 2>&1 | tee \$OUT/log.txt"
