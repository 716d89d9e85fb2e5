#!/usr/bin/env bash
# Installs the EdgeTwin gateway as a systemd service on a Debian-like box, or removes it.
#
#   sudo deploy/systemd/install.sh --name ward7-bed12 [--site st-mary] [--profile hardware/profiles/bedside-box.json]
#   sudo deploy/systemd/install.sh --name demo-gw --simulated        # the simulated 4-bed ward, for a demo
#   sudo deploy/systemd/install.sh --from DIR ...                    # a prebuilt `dotnet publish` output: needs only the runtime
#   sudo deploy/systemd/install.sh --uninstall                       # keeps /var/lib/edgetwin and /etc/edgetwin
#   deploy/systemd/install.sh --dry-run [--root DIR] ...             # prints what it would do, changes nothing
#
# Creates the edgetwin system user, puts the gateway in /opt/edgetwin/gateway (built here with the
# .NET 10 SDK, or copied from --from DIR), installs the unit, enables and starts it. The first install
# writes /etc/edgetwin/gateway.env: the name (--name, required then), the site, and no simulated beds
# unless --simulated; --profile copies a device profile to /etc/edgetwin/devices.json and names it
# there (Gateway__SettingsFile). Re-running upgrades in place: gateway.env and the state in
# /var/lib/edgetwin are never touched. --root DIR (with --dry-run) prefixes every path, for tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { echo "usage: install.sh [--dry-run [--root DIR]] [--from DIR] [--name NAME] [--site SITE] [--profile FILE | --simulated] | --uninstall [--dry-run [--root DIR]]" >&2; exit 2; }
fail() { echo "install.sh: $*" >&2; exit 1; }

dry=0; uninstall=0; root=""; from=""; name=""; site=""; profile=""; simulated=0
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
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

[ -z "$root" ] || [ "$dry" = 1 ] || fail "--root is for --dry-run only"
[ "$dry" = 1 ] || [ "$(id -u)" = "0" ] || fail "run as root (sudo), or add --dry-run to see what it would do"
[ -z "$profile" ] || [ "$simulated" = 0 ] || fail "--profile and --simulated exclude each other"

PREFIX="$root/opt/edgetwin/gateway"
UNIT="$root/etc/systemd/system/edgetwin-gateway.service"
ETC="$root/etc/edgetwin"
STATE="$root/var/lib/edgetwin"

# Every change goes through run (or write): a dry run prints it instead.
run() {
  if [ "$dry" = 1 ]; then echo "would run: $*"; else "$@"; fi
}
write() { # write FILE MODE CONTENT
  if [ "$dry" = 1 ]; then
    echo "would write $1 (mode $2, group edgetwin):"; sed 's/^/    /' <<<"$3"
  else
    install -m "$2" -o root -g edgetwin /dev/null "$1"; printf '%s\n' "$3" >"$1"
  fi
}

if [ "$uninstall" = 1 ]; then
  run systemctl disable --now edgetwin-gateway.service
  run rm -f "$UNIT"
  run systemctl daemon-reload
  run rm -rf "$PREFIX"
  echo "kept: $STATE (gateway.key, storage.key, site-secret, the outbox: back them up before removing it), $ETC and the edgetwin user"
  exit 0
fi

valid_name() { [[ "$1" =~ ^[a-z0-9-]{1,64}$ ]]; }
[ -z "$name" ] || valid_name "$name" || fail "--name '$name' must match [a-z0-9-]{1,64}"
[ -z "$site" ] || valid_name "$site" || fail "--site '$site' must match [a-z0-9-]{1,64}"
[ -z "$profile" ] || [ -f "$profile" ] || fail "--profile '$profile' is not a file"
first=0; [ -f "$ETC/gateway.env" ] || first=1
if [ "$first" = 1 ] && [ -z "$name" ]; then
  fail "--name NAME is required on a first install: the gateway's name ([a-z0-9-]{1,64}), unique on the site broker"
fi
if [ "$first" = 0 ] && { [ -n "$name" ] || [ -n "$site" ] || [ "$simulated" = 1 ]; }; then
  echo "install.sh: $ETC/gateway.env exists and is kept: --name, --site and --simulated apply to a first install (edit the file instead)" >&2
fi

# The gateway needs the ASP.NET Core 10 runtime; building it here needs the SDK too.
command -v dotnet >/dev/null || fail "the .NET 10 runtime is required (Debian: the aspnetcore-runtime-10.0 package)"
dotnet --list-runtimes 2>/dev/null | grep -q '^Microsoft.AspNetCore.App 10\.' \
  || fail "the ASP.NET Core 10 runtime is required (aspnetcore-runtime-10.0)"
if [ -n "$from" ]; then
  [ -f "$from/EdgeTwin.Gateway.dll" ] || fail "--from '$from' holds no EdgeTwin.Gateway.dll (make it with: dotnet publish src/Gateway -c Release -o DIR)"
else
  dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
    || fail "building needs the .NET 10 SDK (dotnet-sdk-10.0); or publish elsewhere and give --from DIR, which needs only the runtime"
fi

id edgetwin >/dev/null 2>&1 || run useradd --system --home-dir /var/lib/edgetwin --shell /usr/sbin/nologin edgetwin
# I2C/GPIO access for real sensors, BlueZ over D-Bus for BLE devices (groups that exist on this box).
for g in i2c gpio dialout bluetooth; do
  if getent group "$g" >/dev/null; then run usermod -aG "$g" edgetwin; fi
done

run rm -rf "$PREFIX"
if [ -n "$from" ]; then
  run install -d -m 0755 "$PREFIX"
  run cp -r "$from/." "$PREFIX/"
else
  run dotnet publish src/Gateway -c Release -o "$PREFIX" -nologo -v quiet
fi
run install -d -m 0755 "$PREFIX/docs"
run install -m 0644 docs/operations.md "$PREFIX/docs/operations.md"
run install -D -m 0644 deploy/systemd/edgetwin-gateway.service "$UNIT"
run install -d -m 0750 -o root -g edgetwin "$ETC"

if [ -n "$profile" ]; then
  run install -m 0640 -o root -g edgetwin "$profile" "$ETC/devices.json"
fi
if [ "$first" = 1 ]; then
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
run systemctl enable edgetwin-gateway.service
run systemctl restart edgetwin-gateway.service
if [ "$dry" = 1 ]; then
  echo "dry run: nothing was changed"
else
  echo "installed: journalctl -u edgetwin-gateway -f   |   curl -s http://127.0.0.1:8480/status"
fi
