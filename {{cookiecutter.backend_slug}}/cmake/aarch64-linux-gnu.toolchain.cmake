# Cross-compiling for Linux on AArch64 with the GNU cross toolchain
# (Debian/Ubuntu: apt-get install g++-aarch64-linux-gnu), against the
# aarch64 executorch wheel from PyPI:
#
#   pip download --platform manylinux_2_28_aarch64 --only-binary=:all: --no-deps \
#     --python-version 3.11 -d wheels executorch==1.5.1
#   python -m zipfile -e wheels/executorch-1.5.1-*aarch64.whl et-aarch64
#   cmake -S . -B build-aarch64 -G Ninja -DBUILD_TESTING=OFF \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.toolchain.cmake \
#     -DCMAKE_PREFIX_PATH=$PWD/et-aarch64/executorch
#   cmake --build build-aarch64
#
# The programs run on the device, or here under user-mode emulation:
#   qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/{{ cookiecutter.backend_slug }}_run_pte model.pte
#
# docs/guides/{{ cookiecutter.backend_slug }}-deploy-guide.md walks through it, and tests/test_cpp.py
# checks that the result prints what the host build prints.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

# Another GNU toolchain (a vendor SDK) differs only by its prefix or folder.
set(AARCH64_TOOLCHAIN_PREFIX
    "aarch64-linux-gnu-"
    CACHE STRING "Prefix of the cross compiler's programs"
)
set(AARCH64_SYSROOT
    "/usr/aarch64-linux-gnu"
    CACHE PATH "Root of the target's libraries and headers"
)

set(CMAKE_C_COMPILER ${AARCH64_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${AARCH64_TOOLCHAIN_PREFIX}g++)

# Libraries and headers come from the target's root; programs (CMake's own
# tools) from the build machine. Packages are looked up in both, so that
# CMAKE_PREFIX_PATH can name an unpacked aarch64 wheel.
set(CMAKE_FIND_ROOT_PATH ${AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
