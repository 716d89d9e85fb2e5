#!/usr/bin/env bash
# Installs the EdgeTwin gateway (or, with --ingest, the cloud ingest) as a systemd service on a
# Debian-like machine, or removes it.
#
#   sudo deploy/systemd/install.sh --name ward7-bed12 [--site st-mary] [--profile hardware/profiles/bedside-box.json]
#   sudo deploy/systemd/install.sh --name demo-gw --simulated        # the simulated 4-bed ward, for a demo
#   sudo deploy/systemd/install.sh --from DIR ...                    # a prebuilt `dotnet publish` output: needs only the runtime
#                                                                    # (a NativeAOT publish of the gateway: no runtime, and a
#                                                                    # drop-in with its memory limits, docs/operations.md)
#   sudo deploy/systemd/install.sh --uninstall                       # keeps /var/lib/edgetwin and /etc/edgetwin
#   sudo deploy/systemd/install.sh --ingest [--from DIR] [--uninstall]   # the ingest: edgetwin-ingest.service, /etc/edgetwin-ingest/ingest.env
#   deploy/systemd/install.sh --dry-run [--root DIR] ...             # prints what it would do, changes nothing
#
# Creates the edgetwin system user, puts the gateway in /opt/edgetwin/gateway (built here with the
# .NET 10 SDK, or copied from --from DIR), installs the unit, enables and starts it. Both also install
# the edgetwin command (src/Cli: ble, desired, token, prove, ...) in /opt/edgetwin/cli with
# /usr/local/bin/edgetwin; with --from DIR it comes from DIR/cli (dotnet publish src/Cli -o DIR/cli). The first install
# writes /etc/edgetwin/gateway.env: the name (--name, required then), the site, and no simulated beds
# unless --simulated; --profile copies a device profile to /etc/edgetwin/devices.json and names it
# there (Gateway__SettingsFile). Re-running upgrades in place: gateway.env and the state in
# /var/lib/edgetwin are never touched. --ingest does the same for the ingest: user edgetwin-ingest,
# /opt/edgetwin/ingest, /etc/edgetwin-ingest/ingest.env (written once, settings commented out),
# state in /var/lib/edgetwin-ingest. --root DIR (with --dry-run) prefixes every path, for tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { echo "usage: install.sh [--ingest] [--dry-run [--root DIR]] [--from DIR] [--name NAME] [--site SITE] [--profile FILE | --simulated] | [--ingest] --uninstall [--dry-run [--root DIR]]" >&2; exit 2; }
fail() { echo "install.sh: $*" >&2; exit 1; }

dry=0; uninstall=0; root=""; from=""; name=""; site=""; profile=""; simulated=0; ingest=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --uninstall) uninstall=1 ;;
    --root) root="${2:?--root needs a directory}"; shift ;;
    --from) from="${2:?--from needs a directory}"; shift ;;
    --name) name="${2:?--name needs a name}"; shift ;;
    --site) site="${2:?--site needs a name}"; shift ;;
    --profile) profile="${2:?--profile needs a file}"; shift ;;
    --simulated) simulated=1 ;;
    --ingest) ingest=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

[ -z "$root" ] || [ "$dry" = 1 ] || fail "--root is for --dry-run only"
[ "$dry" = 1 ] || [ "$(id -u)" = "0" ] || fail "run as root (sudo), or add --dry-run to see what it would do"
[ -z "$profile" ] || [ "$simulated" = 0 ] || fail "--profile and --simulated exclude each other"
if [ "$ingest" = 1 ] && { [ -n "$name" ] || [ -n "$site" ] || [ -n "$profile" ] || [ "$simulated" = 1 ]; }; then
  fail "--name, --site, --profile and --simulated are the gateway's; the ingest's settings go in /etc/edgetwin-ingest/ingest.env"
fi

if [ "$ingest" = 1 ]; then
  SERVICE=edgetwin-ingest; ACCOUNT=edgetwin-ingest; PROJECT=src/Ingest; DLL=EdgeTwin.Ingest.dll; ENVFILE=ingest.env
  PREFIX="$root/opt/edgetwin/ingest"; ETC="$root/etc/edgetwin-ingest"; STATE="$root/var/lib/edgetwin-ingest"
  KEPT="ingest.key, anchor.key and the LiteDB store: back them up before removing it"
else
  SERVICE=edgetwin-gateway; ACCOUNT=edgetwin; PROJECT=src/Gateway; DLL=EdgeTwin.Gateway.dll; ENVFILE=gateway.env
  PREFIX="$root/opt/edgetwin/gateway"; ETC="$root/etc/edgetwin"; STATE="$root/var/lib/edgetwin"
  KEPT="gateway.key, storage.key, site-secret, the outbox: back them up before removing it"
fi
UNIT="$root/etc/systemd/system/$SERVICE.service"
# The NativeAOT gateway's drop-in: its executable, GC regions and memory limits (docs/operations.md, "systemd", Memory).
DROPIN="$root/etc/systemd/system/$SERVICE.service.d/aot.conf"
# The edgetwin command, shared by the gateway and the ingest on one host.
CLI="$root/opt/edgetwin/cli"; BIN="$root/usr/local/bin/edgetwin"
if [ "$ingest" = 1 ]; then OTHER="$root/opt/edgetwin/gateway"; else OTHER="$root/opt/edgetwin/ingest"; fi

# Every change goes through run (or write): a dry run prints it instead.
run() {
  if [ "$dry" = 1 ]; then echo "would run: $*"; else "$@"; fi
}
write() { # write FILE MODE CONTENT
  if [ "$dry" = 1 ]; then
    echo "would write $1 (mode $2, group $ACCOUNT):"; sed 's/^/    /' <<<"$3"
  else
    install -m "$2" -o root -g "$ACCOUNT" /dev/null "$1"; printf '%s\n' "$3" >"$1"
  fi
}

if [ "$uninstall" = 1 ]; then
  run systemctl disable --now "$SERVICE.service"
  run rm -f "$UNIT"
  [ ! -f "$DROPIN" ] || run rm -f "$DROPIN"
  run systemctl daemon-reload
  run rm -rf "$PREFIX"
  if [ ! -d "$OTHER" ]; then
    run rm -rf "$CLI" "$BIN"
  fi
  echo "kept: $STATE ($KEPT), $ETC and the $ACCOUNT user"
  exit 0
fi

valid_name() { [[ "$1" =~ ^[a-z0-9-]{1,64}$ ]]; }
[ -z "$name" ] || valid_name "$name" || fail "--name '$name' must match [a-z0-9-]{1,64}"
[ -z "$site" ] || valid_name "$site" || fail "--site '$site' must match [a-z0-9-]{1,64}"
[ -z "$profile" ] || [ -f "$profile" ] || fail "--profile '$profile' is not a file"
first=0; [ -f "$ETC/$ENVFILE" ] || first=1
if [ "$ingest" = 0 ] && [ "$first" = 1 ] && [ -z "$name" ]; then
  fail "--name NAME is required on a first install: the gateway's name ([a-z0-9-]{1,64}), unique on the site broker"
fi
if [ "$first" = 0 ] && { [ -n "$name" ] || [ -n "$site" ] || [ "$simulated" = 1 ]; }; then
  echo "install.sh: $ETC/gateway.env exists and is kept: --name, --site and --simulated apply to a first install (edit the file instead)" >&2
fi

# This machine's .NET runtime identifier (empty where none is known): what the gateway is built for here,
# and what a NativeAOT publish given with --from must have been built for.
case "$(uname -m)" in x86_64) RID=linux-x64 ;; aarch64) RID=linux-arm64 ;; armv7l) RID=linux-arm ;; *) RID="" ;; esac

# A NativeAOT publish of the gateway: its executable and no EdgeTwin.Gateway.dll (a JIT publish for a
# runtime identifier has both). It needs no .NET runtime; it runs under the drop-in below.
aot=0
if [ "$ingest" = 0 ] && [ -n "$from" ] && [ ! -f "$from/$DLL" ] && [ -f "$from/EdgeTwin.Gateway" ]; then
  [ -x "$from/EdgeTwin.Gateway" ] || fail "--from '$from': EdgeTwin.Gateway is not executable (a NativeAOT publish makes it so: chmod +x, or publish again)"
  # Built for this machine's architecture: an arm64 publish (scripts/publish-pi-aot.sh) installed on the x64
  # machine that made it, or the reverse, would fail at every start (203/EXEC). ELF e_machine: 62 x86-64, 183 AArch64.
  elf=$(od -An -c -N4 "$from/EdgeTwin.Gateway" | tr -d ' ')
  [ "$elf" = '177ELF' ] || fail "--from '$from': EdgeTwin.Gateway is not an ELF executable"
  have=$(od -An -t u2 -j 18 -N2 "$from/EdgeTwin.Gateway" | tr -d ' ')
  case "$RID" in linux-x64) want=62 ;; linux-arm64) want=183 ;; *) want="" ;; esac
  if [ -n "$want" ] && [ "$have" != "$want" ]; then
    case "$have" in 62) built=linux-x64 ;; 183) built=linux-arm64 ;; *) built="e_machine ${have:-unknown}" ;; esac
    fail "--from '$from': EdgeTwin.Gateway is built for $built, this machine is $(uname -m): publish with -r $RID, or install it on a $built machine"
  fi
  aot=1
fi

# Both need the ASP.NET Core 10 runtime (the NativeAOT gateway only for the edgetwin command); building here needs the SDK too.
runtime=0
dotnet --list-runtimes 2>/dev/null | grep -q '^Microsoft.AspNetCore.App 10\.' && runtime=1
if [ "$aot" = 0 ]; then
  command -v dotnet >/dev/null || fail "the .NET 10 runtime is required (Debian: the aspnetcore-runtime-10.0 package)"
  [ "$runtime" = 1 ] || fail "the ASP.NET Core 10 runtime is required (aspnetcore-runtime-10.0)"
fi
if [ -n "$from" ]; then
  nor=""; [ "$ingest" = 1 ] || nor=", nor a NativeAOT EdgeTwin.Gateway executable (dotnet publish $PROJECT -c Release -r linux-arm64 -p:PublishAot=true -o DIR)"
  [ -f "$from/$DLL" ] || [ "$aot" = 1 ] || fail "--from '$from' holds no $DLL (make it with: dotnet publish $PROJECT -c Release -o DIR)$nor"
else
  dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
    || fail "building needs the .NET 10 SDK (dotnet-sdk-10.0); or publish elsewhere and give --from DIR, which needs only the runtime"
fi

id "$ACCOUNT" >/dev/null 2>&1 || run useradd --system --home-dir "${STATE#"$root"}" --shell /usr/sbin/nologin "$ACCOUNT"
if [ "$ingest" = 0 ]; then
  # I2C/GPIO access for real sensors, BlueZ over D-Bus for BLE devices (groups that exist on this box).
  for g in i2c gpio dialout bluetooth; do
    if getent group "$g" >/dev/null; then run usermod -aG "$g" edgetwin; fi
  done
fi

# place PROJECT DEST [PUBLISHED [PUBLISH-OPTIONS...]]: DEST becomes a copy of the published folder, or PROJECT
# published there (with the options given).
place() {
  local project="$1" dest="$2" published="${3:-}"
  shift 3
  run rm -rf "$dest"
  if [ -n "$published" ]; then
    run install -d -m 0755 "$dest"
    local symbols=() entries=() f
    for f in "$published"/*; do
      case "$f" in *.dbg) symbols+=("$(basename "$f")") ;; *) entries+=("$f") ;; esac
    done
    if [ "${#symbols[@]}" -gt 0 ]; then
      # A NativeAOT publish's debug symbols (75 MB for the gateway) are not needed to run it: they stay where it was published.
      echo "install.sh: not copied: ${symbols[*]} (debug symbols of the NativeAOT build; keep them with the publish to read a crash's stack)" >&2
      run cp -r "${entries[@]}" "$dest/"
    else
      run cp -r "$published/." "$dest/"
    fi
  else
    run dotnet publish "$project" -c Release "$@" -o "$dest" -nologo -v quiet
  fi
}

# The gateway built here is published for this machine's platform, which makes it ReadyToRun (its csproj:
# compiled ahead, so the box does not JIT its start-up code at every start; docs/benchmarks.md "ReadyToRun").
for_platform=()
if [ "$ingest" = 0 ] && [ -n "$RID" ]; then for_platform=(-r "$RID" --self-contained false); fi
place "$PROJECT" "$PREFIX" "$from" "${for_platform[@]}"
if [ -n "$from" ] && [ ! -f "$from/cli/edgetwin.dll" ]; then
  echo "install.sh: '$from/cli' holds no edgetwin.dll: the edgetwin command is not installed (dotnet publish src/Cli -c Release -o $from/cli)" >&2
elif [ "$runtime" = 0 ]; then
  echo "install.sh: the edgetwin command needs the ASP.NET Core 10 runtime (aspnetcore-runtime-10.0), which is not installed: the command is not installed, the gateway is" >&2
else
  place src/Cli "$CLI" "${from:+$from/cli}"
  run install -D -m 0755 deploy/systemd/edgetwin "$BIN"
fi
run install -d -m 0755 "$PREFIX/docs"
run install -m 0644 docs/operations.md "$PREFIX/docs/operations.md"
[ "$ingest" = 0 ] || run install -m 0644 docs/ingest.md "$PREFIX/docs/ingest.md"
run install -D -m 0644 "deploy/systemd/$SERVICE.service" "$UNIT"
if [ "$aot" = 1 ]; then
  run install -d -m 0755 "$(dirname "$DROPIN")"
  write "$DROPIN" 0644 "# Written by install.sh for the NativeAOT gateway; a JIT install removes it (docs/operations.md, \"systemd\", Memory).
[Service]
ExecStart=
ExecStart=/opt/edgetwin/gateway/EdgeTwin.Gateway
# 1 MiB GC regions: 3-4 MiB less (docs/benchmarks.md).
Environment=DOTNET_GCRegionSize=100000
# Measured: the AOT gateway keeps up at 16 beds inside 80 MiB, the kernel reclaiming its clean code pages.
MemoryHigh=80M
# The hard stop above it, with room for what grows (the outbox's LiteDB cache after a long outage).
MemoryMax=96M
# No JIT in this build: no memory is ever both writable and executable (tested: tests/Integration/Aot).
MemoryDenyWriteExecute=yes"
elif [ -f "$DROPIN" ]; then
  # Back to the JIT build, which needs 112-128 MiB: the AOT limits and executable must go.
  run rm -f "$DROPIN"
fi
run install -d -m 0750 -o root -g "$ACCOUNT" "$ETC"

if [ -n "$profile" ]; then
  run install -m 0640 -o root -g edgetwin "$profile" "$ETC/devices.json"
fi
if [ "$ingest" = 1 ]; then
  [ "$first" = 0 ] || write "$ETC/ingest.env" 0640 "$(cat deploy/systemd/ingest.env)"
elif [ "$first" = 1 ]; then
  settings="Gateway__Name=$name"
  [ -z "$site" ] || settings+=$'\n'"Gateway__Site=$site"
  if [ -n "$profile" ]; then
    settings+=$'\n'"Gateway__SettingsFile=/etc/edgetwin/devices.json"
  elif [ "$simulated" = 0 ]; then
    settings+=$'\n'"# No devices yet: give a profile (install.sh --profile FILE) or list them in a settings file."
    settings+=$'\n'"Simulation__Beds=0"
  fi
  write "$ETC/gateway.env" 0640 "$(cat deploy/systemd/gateway.env)"$'\n'"$settings"
elif [ -n "$profile" ] && ! grep -q '^Gateway__SettingsFile=' "$ETC/gateway.env"; then
  echo "install.sh: add Gateway__SettingsFile=/etc/edgetwin/devices.json to $ETC/gateway.env to use the profile" >&2
fi

run systemctl daemon-reload
run systemctl enable "$SERVICE.service"
run systemctl restart "$SERVICE.service"
if [ "$dry" = 1 ]; then
  echo "dry run: nothing was changed"
elif [ "$ingest" = 1 ]; then
  echo "installed: journalctl -u edgetwin-ingest -f   |   edit /etc/edgetwin-ingest/ingest.env (broker, enrolment), then systemctl restart edgetwin-ingest"
else
  echo "installed: journalctl -u edgetwin-gateway -f   |   curl -s http://127.0.0.1:8480/status"
fi
