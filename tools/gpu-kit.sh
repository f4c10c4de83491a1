#!/usr/bin/env bash
# Prepares the dependencies that let tools/gpu-check.sh build every sinsr target from the project's own CMakeLists on
# a GPU machine that has a CUDA LibTorch (pip torch), nvcc and NCCL, but no network, no apt and none of OpenCV, HDF5,
# Boost, MPI or GoogleTest. Everything lands in one relocatable prefix (Debian's layout: include/, lib/,
# lib/x86_64-linux-gnu/):
#   OpenCV 4.6 core+imgproc+imgcodecs, static, built once from Debian 12's source package (Debian's imgcodecs pulls
#     ~211 MiB of shared libraries through GDAL; this one links PNG/JPEG/zlib statically and nothing else);
#   Debian's static libhdf5.a (+ libsz, libaec, libz), libboost_program_options.a with the Boost headers it needs,
#     libgtest.a, libpng16.a, libjpeg.a, with their CMake package files;
#   Debian's Open MPI 4.1.4, unpacked from its .debs (relocated at run time with OPAL_PREFIX);
#   deps.cmake  an initial cache (cmake -C) that points every find_package of the project into the prefix;
#   env.sh      the run-time environment (OPAL_PREFIX, PATH, LD_LIBRARY_PATH) for the prefix's Open MPI.
# The prefix is cached under ${SINSR_CACHE:-~/.cache/sinsr}/gpukit-<version>; the repository never holds it.
#   bash tools/gpu-kit.sh            build the prefix if missing; print its path
#   bash tools/gpu-kit.sh --pack     also write .devkit/deps.tar.xz (~12 MB), the file that travels to the GPU machine
# Needs Debian 12 with apt reachable (apt-get source/download run unprivileged; the -dev packages come from
# tools/install-deps.sh --gpu-kit). Idempotent and atomic: a finished prefix is a folder renamed into place.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

KIT_VERSION=2   # bump when the prefix's contents change
cache=${SINSR_CACHE:-$HOME/.cache/sinsr}
prefix=$cache/gpukit-$KIT_VERSION
pack=0
for arg in "$@"; do
  case "$arg" in
    --pack) pack=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "gpu-kit.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "gpu-kit: $*" >&2; }
ARCH=x86_64-linux-gnu
SYS=/usr/lib/$ARCH

# Debian source packages without touching the system's apt configuration: a private sources list and state folder.
apt_private() {
  local d=$1; shift
  mkdir -p "$d/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$d/sources.list"
  apt-get -q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$d/lists" -o Debug::NoLocking=1 "$@"
}

build_opencv() {
  local w=$1 out=$2
  log "OpenCV: fetching Debian's source package (opencv 4.6.0+dfsg)"
  mkdir -p "$w"
  apt_private "$w/apt" update >"$w/apt.log" 2>&1
  (cd "$w" && apt_private "$w/apt" source --download-only opencv >>"$w/apt.log" 2>&1 &&
     dpkg-source -x --no-check opencv_*.dsc src >>"$w/apt.log" 2>&1)
  log "OpenCV: building core, imgproc, imgcodecs (static, PNG/JPEG only; ~2.5 min on 2 cores)"
  # Every optional backend off: the project decodes PNG/JPEG and resizes, nothing more. CPU_DISPATCH=AVX2 keeps the
  # fast resize paths while compiling a fraction of the dispatch variants.
  local off=(1394 ADE ARAVIS CLP CUDA EIGEN FFMPEG FREETYPE GDAL GDCM GPHOTO2 GSTREAMER GTK HALIDE HPX IPP ITT JASPER
             LAPACK LIBREALSENSE MFX OAK ONNX OPENCL OPENEXR OPENGL OPENJPEG OPENMP OPENNI OPENNI2 OPENVINO OPENVX
             PLAIDML PROTOBUF PVAPI QT QUIRC TBB TIFF TIMVX UEYE V4L VA VA_INTEL VTK VULKAN WEBNN WEBP XIMEA XINE)
  local with_off=()
  for x in "${off[@]}"; do with_off+=("-DWITH_$x=OFF"); done
  cmake -S "$w/src" -B "$w/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$out" \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_LIST=core,imgproc,imgcodecs -DCPU_DISPATCH=AVX2 -DENABLE_PIC=ON \
    -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOCS=OFF -DBUILD_opencv_apps=OFF \
    -DBUILD_JAVA=OFF -DBUILD_ZLIB=OFF -DBUILD_PNG=OFF -DBUILD_JPEG=OFF -DOPENCV_GENERATE_PKGCONFIG=OFF \
    "${with_off[@]}" >"$w/configure.log" 2>&1 ||
    { tail -20 "$w/configure.log"; log "OpenCV configure failed (log: $w/configure.log)"; exit 1; }
  cmake --build "$w/build" -j"$(nproc)" >"$w/build.log" 2>&1 ||
    { tail -20 "$w/build.log"; log "OpenCV build failed (log: $w/build.log)"; exit 1; }
  cmake --install "$w/build" >/dev/null
  # The installed package file names the build machine's shared libpng/libjpeg/zlib; the prefix carries their static
  # archives instead, so the link works where those .so files are absent.
  sed -i -e "s|$SYS/libz.so|\${_IMPORT_PREFIX}/lib/libz.a|g" -e "s|$SYS/libpng.so|\${_IMPORT_PREFIX}/lib/libpng16.a|g" \
    -e "s|$SYS/libjpeg.so|\${_IMPORT_PREFIX}/lib/libjpeg.a|g" "$out/lib/cmake/opencv4/OpenCVModules.cmake"
  if grep -q "$SYS" "$out/lib/cmake/opencv4/OpenCVModules.cmake"; then
    log "OpenCV's package file still names $SYS:"; grep -n "$SYS" "$out/lib/cmake/opencv4/OpenCVModules.cmake"; exit 1
  fi
  rm -rf "$out/bin" "$out/share/licenses"
}

copy_static_libraries() {
  local p=$1
  mkdir -p "$p/lib/$ARCH/cmake" "$p/include"
  for f in libz.a libpng16.a libjpeg.a libsz.a libaec.a; do cp "$SYS/$f" "$p/lib/"; done
  # HDF5: the serial C library (FindHDF5 finds it through HDF5_ROOT; deps.cmake adds its own dependencies).
  cp $SYS/hdf5/serial/libhdf5.a "$p/lib/"
  mkdir -p "$p/include/hdf5/serial" && cp -r /usr/include/hdf5/serial/. "$p/include/hdf5/serial/"
  # Boost.ProgramOptions and GoogleTest with Debian's CMake package files, whose paths are relative to their place.
  cp $SYS/libboost_program_options.a $SYS/libgtest.a $SYS/libgtest_main.a $SYS/libgmock.a $SYS/libgmock_main.a "$p/lib/$ARCH/"
  cp -r $SYS/cmake/Boost-1.74.0 $SYS/cmake/BoostDetectToolset-1.74.0.cmake $SYS/cmake/boost_headers-1.74.0 \
    $SYS/cmake/boost_program_options-1.74.0 $SYS/cmake/GTest "$p/lib/$ARCH/cmake/"
  rm "$p/lib/$ARCH/cmake/boost_program_options-1.74.0/libboost_program_options-variant-shared.cmake"
  rm "$p/lib/$ARCH/cmake/GMock"* 2>/dev/null || true
  cp -r /usr/include/gtest /usr/include/gmock "$p/include/"
  # nlohmann-json (header only, with its CMake package) and OpenSSL's libcrypto (static, for SHA-256).
  cp -r /usr/include/nlohmann "$p/include/" && mkdir -p "$p/share/cmake" && cp -r /usr/share/cmake/nlohmann_json "$p/share/cmake/"
  cp $SYS/libcrypto.a "$p/lib/"
  mkdir -p "$p/include/openssl" && cp /usr/include/openssl/*.h /usr/include/$ARCH/openssl/*.h "$p/include/openssl/"
  # Only the Boost headers program_options reaches (~630 of Boost's 14 000), found by the preprocessor itself.
  echo '#include <boost/program_options.hpp>' | g++ -std=c++17 -x c++ -M - |
    tr ' \\' '\n\n' | grep '^/usr/include/boost/' | sort -u | while read -r h; do
      mkdir -p "$p/include/$(dirname "${h#/usr/include/}")" && cp "$h" "$p/include/${h#/usr/include/}"
    done
}

unpack_openmpi() {
  local w=$1 p=$2
  local pkgs=(libopenmpi3 openmpi-bin openmpi-common libopenmpi-dev libevent-core-2.1-7 libevent-pthreads-2.1-7
              libfabric1 libhwloc15 libibverbs1 libnl-3-200 libnl-route-3-200 libpmix2 libpsm-infinipath1 libpsm2-2
              libucx0 libmunge2 libnuma1 librdmacm1)
  log "Open MPI: downloading and unpacking ${#pkgs[@]} Debian packages"
  mkdir -p "$w/debs" "$w/root"
  (cd "$w/debs" && apt-get download -q "${pkgs[@]}" >"$w/download.log" 2>&1) ||
    { tail -5 "$w/download.log"; log "apt-get download failed (log: $w/download.log)"; exit 1; }
  for f in "$w"/debs/*.deb; do dpkg-deb -x "$f" "$w/root"; done
  # Only C MPI over shared memory and TCP is used: drop docs, Fortran, Java, OpenSHMEM and static archives.
  local r=$w/root/usr L=$w/root/usr/lib/$ARCH
  rm -rf "$r/share/doc" "$r/share/man" "$r/share/lintian" "$L/fortran" "$L/pkgconfig"
  find "$r" -name '*.a' -delete
  rm -f "$L"/liboshmem* "$L"/libmpi_java* "$L"/libmpi_mpifh* "$L"/libmpi_usempi* "$L"/openmpi/lib/liboshmem* \
    "$L"/openmpi/lib/libmpi_java* "$L"/openmpi/lib/libmpi_mpifh* "$L"/openmpi/lib/libmpi_usempi* \
    "$L"/openmpi/lib/openmpi3/mca_{spml,sshmem,scoll,atomic,memheap}_*
  rm -rf "$L"/openmpi/include/openshmem "$L"/openmpi/include/*shmem* "$L"/openmpi/include/mpif* "$L"/openmpi/include/mpp
  # Merge into the prefix; Debian's absolute symlinks (e.g. mpirun -> orterun, lib*.so -> /etc/alternatives) are
  # made relative so they work wherever the prefix is unpacked.
  cp -a "$r/bin" "$p/" && cp -a "$r/share" "$p/" && cp -a "$L/." "$p/lib/$ARCH/"
  [ -d "$w/root/etc" ] && cp -a "$w/root/etc" "$p/"
  find "$p" -type l | while read -r l; do
    t=$(readlink "$l")
    case "$t" in /etc/alternatives/*|/usr/*) rm "$l" ;; esac
  done
  ln -sf orterun "$p/bin/mpirun" && ln -sf orterun "$p/bin/mpiexec"
  ln -sf libmpi.so.40 "$p/lib/$ARCH/libmpi.so"
}

write_cmake_and_env() {
  local p=$1
  cat >"$p/deps.cmake" <<'EOF'
# Initial cache for the project's CMakeLists (cmake -C <prefix>/deps.cmake): every dependency from this prefix.
# Written by tools/gpu-kit.sh; paths are relative to this file, so the prefix may be unpacked anywhere.
get_filename_component(_kit "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)
set(OpenCV_DIR "${_kit}/lib/cmake/opencv4" CACHE PATH "static OpenCV (gpu-kit)")
set(Boost_DIR "${_kit}/lib/x86_64-linux-gnu/cmake/Boost-1.74.0" CACHE PATH "Boost (gpu-kit)")
set(Boost_USE_STATIC_LIBS ON CACHE BOOL "")
set(GTest_DIR "${_kit}/lib/x86_64-linux-gnu/cmake/GTest" CACHE PATH "GoogleTest (gpu-kit)")
set(nlohmann_json_DIR "${_kit}/share/cmake/nlohmann_json" CACHE PATH "nlohmann-json (gpu-kit)")
set(OPENSSL_ROOT_DIR "${_kit}" CACHE PATH "OpenSSL libcrypto, static (gpu-kit)")
set(OPENSSL_USE_STATIC_LIBS ON CACHE BOOL "")
set(OPENSSL_INCLUDE_DIR "${_kit}/include" CACHE PATH "")
set(OPENSSL_CRYPTO_LIBRARY "${_kit}/lib/libcrypto.a" CACHE FILEPATH "")
# HDF5_ROOT keeps FindHDF5 off the system's h5cc; the static library's own dependencies are added to every link.
set(HDF5_ROOT "${_kit}" CACHE PATH "static HDF5 (gpu-kit)")
set(HDF5_USE_STATIC_LIBRARIES ON CACHE BOOL "")
set(HDF5_C_INCLUDE_DIR "${_kit}/include/hdf5/serial" CACHE PATH "")
set(HDF5_hdf5_LIBRARY_RELEASE "${_kit}/lib/libhdf5.a" CACHE FILEPATH "")
set(CMAKE_CXX_STANDARD_LIBRARIES "${_kit}/lib/libsz.a ${_kit}/lib/libaec.a ${_kit}/lib/libz.a -ldl -lm" CACHE STRING "")
# MPI without its compiler wrapper (it would name the build machine's paths): the C API library and its headers.
set(MPI_CXX_SKIP_MPICXX ON CACHE BOOL "")
set(MPI_CXX_LIB_NAMES "mpi" CACHE STRING "")
set(MPI_mpi_LIBRARY "${_kit}/lib/x86_64-linux-gnu/libmpi.so" CACHE FILEPATH "Open MPI (gpu-kit)")
set(MPI_CXX_HEADER_DIR "${_kit}/lib/x86_64-linux-gnu/openmpi/include" CACHE PATH "")
set(MPI_CXX_INCLUDE_PATH "${MPI_CXX_HEADER_DIR}" CACHE STRING "")  # with LIB_NAMES: FindMPI searches nothing else
set(MPIEXEC_EXECUTABLE "${_kit}/bin/mpirun" CACHE FILEPATH "")
EOF
  cat >"$p/env.sh" <<'EOF'
# Source this before running what was built against the prefix: its Open MPI is relocated with OPAL_PREFIX.
_kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OPAL_PREFIX=$_kit PATH=$_kit/bin:$PATH
export LD_LIBRARY_PATH=$_kit/lib/x86_64-linux-gnu:$_kit/lib/x86_64-linux-gnu/openmpi/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMPI_MCA_mca_base_component_show_load_errors=0 PMIX_MCA_pcompress_base_silence_warning=1
unset _kit
EOF
}

if [ ! -f "$prefix/deps.cmake" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/gpukit-work.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  p=$work/prefix
  mkdir -p "$p"
  build_opencv "$work/opencv" "$p"
  copy_static_libraries "$p"
  unpack_openmpi "$work/openmpi" "$p"
  write_cmake_and_env "$p"
  rm -rf "$prefix" && mv "$p" "$prefix"
  log "prefix ready: $(du -sh "$prefix" | cut -f1)"
fi

if [ "$pack" = 1 ]; then
  mkdir -p .devkit
  grep -qx '/.devkit/' .git/info/exclude 2>/dev/null || echo '/.devkit/' >>.git/info/exclude
  tar -C "$prefix" -cf - . | xz -T0 -6 >.devkit/deps.tar.xz.tmp && mv .devkit/deps.tar.xz.tmp .devkit/deps.tar.xz
  log ".devkit/deps.tar.xz $(du -h .devkit/deps.tar.xz | cut -f1); tracked tree $(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1) bytes"
fi
echo "$prefix"
