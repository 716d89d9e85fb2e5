#!/usr/bin/env bash
# Cross-publishes the gateway for a Raspberry Pi (linux-arm64) with NativeAOT on an x64 Debian 12 machine:
#
#   ./scripts/publish-pi-aot.sh [DIR]          # default DIR: artifacts/linux-arm64-aot of the checkout
#
# Installs what it needs from Debian when missing (one apt-get update first, as scripts/test.sh does):
#  - to publish: clang (the ILCompiler's linker driver, --target=aarch64-linux-gnu), llvm (llvm-objcopy strips
#    the symbols into EdgeTwin.Gateway.dbg), binutils-aarch64-linux-gnu (the aarch64 ld) and gcc-aarch64-linux-gnu
#    (its crt files, libgcc and, through libc6-dev-arm64-cross, the arm64 C library to link against). zlib comes
#    inside the ILCompiler's package (libz.a), so no arm64 zlib is needed. The NuGet side is the SDK's own choice:
#    runtime.linux-x64.Microsoft.DotNet.ILCompiler compiles, Microsoft.NETCore.App.Runtime.NativeAOT.linux-arm64
#    is the arm64 runtime it links, Microsoft.ML.OnnxRuntime brings the arm64 libonnxruntime.so.
#  - to run it here under emulation (tests/Integration, Category=NativeAotArm64): qemu-user-static and, from
#    Debian's arm64 architecture (dpkg --add-architecture arm64), libc6, libstdc++6 (ONNX Runtime) and libssl3
#    (.NET's cryptography) for arm64. A Pi has all three already.
# Then checks that the executable and ONNX Runtime are aarch64 ELF files. Takes 3-5 minutes of the AOT
# compiler on two cores. Run the published gateway here, as the test does:
#
#   EDGETWIN_AOT_ARM64_DIR=$PWD/artifacts/linux-arm64-aot dotnet test tests/Integration -c Release --filter Category=NativeAotArm64
#
# Emulated, not a Pi: README.md ("On a Raspberry Pi") and docs/benchmarks.md ("NativeAOT for arm64, cross-compiled, run under qemu")
# say what that shows and what it does not.
set -euo pipefail
[ $# -le 1 ] || { echo "usage: scripts/publish-pi-aot.sh [DIR]" >&2; exit 2; }
# DIR as the caller named it (relative to where they are), the default in the checkout.
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# = 1 ]; then out="$(realpath -m "$1")"; else out="$repo/artifacts/linux-arm64-aot"; fi
cd "$repo"
[ "$(uname -m)" = x86_64 ] || { echo "publish-pi-aot.sh: cross-publishes from x86_64 (on an arm64 machine publish directly: README.md, \"On a Raspberry Pi\")" >&2; exit 2; }
# DIR is emptied first: only when it is empty or an earlier publish (a typo must not wipe a folder).
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/EdgeTwin.Gateway" ]; then
  echo "publish-pi-aot.sh: $out is neither empty nor an earlier publish (no EdgeTwin.Gateway): give another directory" >&2; exit 2
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# Debian serves arm64 from the same mirrors as amd64; Ubuntu needs its ports mirror added by hand first.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  . /etc/os-release
  [ "${ID:-}" = debian ] || { echo "publish-pi-aot.sh: add the arm64 architecture yourself on ${ID:-this system} (Ubuntu: ports.ubuntu.com sources), then run again" >&2; exit 1; }
  echo "publish-pi-aot.sh: dpkg --add-architecture arm64"
  $SUDO dpkg --add-architecture arm64
fi

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v llvm-objcopy >/dev/null 2>&1 || missing+=(llvm)
command -v aarch64-linux-gnu-ld >/dev/null 2>&1 || missing+=(binutils-aarch64-linux-gnu)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
[ -e /usr/aarch64-linux-gnu/lib/Scrt1.o ] || missing+=(libc6-dev-arm64-cross)
[ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
[ -e /lib/ld-linux-aarch64.so.1 ] || missing+=(libc6:arm64)
[ -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ] || missing+=(libstdc++6:arm64)
[ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] || missing+=(libssl3:arm64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "publish-pi-aot.sh: installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

rm -rf "$out"
started=$(date +%s)
dotnet publish src/Gateway/EdgeTwin.Gateway.csproj -c Release -r linux-arm64 -p:PublishAot=true -o "$out" -nologo -v quiet
echo "publish-pi-aot.sh: published in $(( $(date +%s) - started )) s"

# e_machine (offset 18, little-endian) 183 is AArch64.
for f in EdgeTwin.Gateway libonnxruntime.so; do
  [ -f "$out/$f" ] || { echo "publish-pi-aot.sh: no $out/$f after the publish" >&2; exit 1; }
  magic=$(od -An -c -N4 "$out/$f" | tr -d ' ')
  machine=$(od -An -t u2 -j 18 -N 2 "$out/$f" | tr -d ' ')
  if [ "$magic" != '177ELF' ] || [ "$machine" != 183 ]; then
    echo "publish-pi-aot.sh: $out/$f is not an aarch64 ELF file (e_machine $machine)" >&2; exit 1
  fi
done
[ ! -e "$out/EdgeTwin.Gateway.dll" ] || { echo "publish-pi-aot.sh: $out holds EdgeTwin.Gateway.dll: not a NativeAOT publish" >&2; exit 1; }
echo "publish-pi-aot.sh: NativeAOT gateway for linux-arm64 in $out (aarch64 executable and ONNX Runtime)"
