#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what the tests need when it is
# missing, builds once, runs every test project (hardware tests are skipped: no I2C bus here), and
# closes with one summary line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus-daemon)   # private bus for the BLE (BlueZ) driver tests
command -v python3 >/dev/null 2>&1 || missing+=(python3)   # the systemd-parent stand-in (Integration)
command -v node >/dev/null 2>&1 || missing+=(nodejs)   # ganache, solc-js and ethers.js for the anchoring tests (tools/evm)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)   # the page tests (Integration/Ward), headless
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)   # the gateway's clock jumped (Integration/EndToEnd)
# The power-cut disk (Integration/Support/powercut_fs.py): FUSE, and Debian's fusepy for /usr/bin/python3.
command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
/usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1 || missing+=(python3-fusepy)
# The documented commands tests/Docs runs: curl, mosquitto_sub, nc.
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v mosquitto_sub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v nc >/dev/null 2>&1 || missing+=(netcat-openbsd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)   # the site CA and certificates (deploy/mosquitto/README.md)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)   # the unit files' exposure scores (Integration/Deploy)
# The NativeAOT gateway (Integration/Aot, with EDGETWIN_TEST_AOT=1): the native toolchain the ILCompiler links with.
if [ "${EDGETWIN_TEST_AOT:-0}" = 1 ]; then
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  command -v ld.lld >/dev/null 2>&1 || missing+=(lld)
  [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# The local EVM node, the Solidity compiler and ethers.js, exactly as package-lock.json pins them.
if [ ! -f tools/evm/node_modules/.package-lock.json ] || ! cmp -s tools/evm/package-lock.json tools/evm/node_modules/.package-lock.json.source 2>/dev/null; then
  echo "test.sh: npm ci in tools/evm"
  npm ci --prefix tools/evm --no-audit --no-fund --loglevel=error
  cp tools/evm/package-lock.json tools/evm/node_modules/.package-lock.json.source
fi

dotnet build EdgeTwin.sln -c Release -nologo -v quiet

# The Pi build (issue 15): the gateway must publish for linux-arm64 (it need not run here); the
# apphost must be an aarch64 executable and ONNX Runtime's native library must come with it.
rm -rf artifacts/linux-arm64
dotnet publish src/Gateway/EdgeTwin.Gateway.csproj -c Release -r linux-arm64 --self-contained false -o artifacts/linux-arm64 -nologo -v quiet
python3 - <<'PY'
import struct, sys
with open("artifacts/linux-arm64/EdgeTwin.Gateway", "rb") as f:
    head = f.read(20)
machine = struct.unpack_from("<H", head, 18)[0]
if head[:4] != b"\x7fELF" or machine != 183:
    sys.exit(f"test.sh: artifacts/linux-arm64/EdgeTwin.Gateway is not an aarch64 ELF executable (e_machine {machine})")
with open("artifacts/linux-arm64/libonnxruntime.so", "rb") as f:
    lib = f.read(20)
if struct.unpack_from("<H", lib, 18)[0] != 183:
    sys.exit("test.sh: artifacts/linux-arm64/libonnxruntime.so is not for aarch64")
print("test.sh: linux-arm64 gateway published in artifacts/linux-arm64 (aarch64 apphost and ONNX Runtime)")
PY

# The NativeAOT gateway (issue 15's footprint): with EDGETWIN_TEST_AOT=1 it is published here, not
# beside the tests running in parallel, and Integration/Aot/NativeAotGatewayTests runs the executable
# EDGETWIN_AOT_GATEWAY names; a trim or AOT warning from our code fails the publish. Without it (the
# default) both are left out like the hardware tests: the AOT compiler takes 3-5 min of one core, which
# would put the suite over its 15 minutes; the trim and AOT analyzers run in every build all the same.
# The arm64 NativeAOT gateway under qemu (Category=NativeAotArm64) runs only on a cross-publish made by
# scripts/publish-pi-aot.sh (EDGETWIN_AOT_ARM64_DIR): never here, with or without EDGETWIN_TEST_AOT=1.
filter="Category!=Hardware&Category!=NativeAotArm64"
if [ "${EDGETWIN_TEST_AOT:-0}" = 1 ]; then
  rm -rf artifacts/linux-x64-aot
  dotnet publish src/Gateway/EdgeTwin.Gateway.csproj -c Release -r linux-x64 -p:PublishAot=true -o artifacts/linux-x64-aot -nologo -v quiet
  export EDGETWIN_AOT_GATEWAY="$PWD/artifacts/linux-x64-aot/EdgeTwin.Gateway"
  echo "test.sh: NativeAOT gateway published in artifacts/linux-x64-aot"
else
  filter="$filter&Category!=NativeAot"
  echo "test.sh: the NativeAOT gateway is neither published nor tested (EDGETWIN_TEST_AOT=1 ./scripts/test.sh does both)"
fi
rm -rf TestResults
set +e
dotnet test EdgeTwin.sln -c Release --no-build -nologo \
  --filter "$filter" \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory TestResults "$@"
status=$?
set -e

passed=0; failed=0; skipped=0
for trx in TestResults/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$failed" -ne 0 ]; then python3 scripts/failed-tests.py TestResults/*.trx; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "test.sh: no test ran" >&2; exit 1; fi
