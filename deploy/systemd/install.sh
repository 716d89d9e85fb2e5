#!/usr/bin/env bash
# Installs the EdgeTwin gateway as a systemd service on a Debian-like box.
#   sudo deploy/systemd/install.sh            # publish from this checkout and install
# Creates the edgetwin system user, publishes to /opt/edgetwin/gateway, installs the unit, enables
# and starts it. Re-running upgrades in place; the state in /var/lib/edgetwin is never touched.
set -euo pipefail
cd "$(dirname "$0")/../.."

PREFIX=/opt/edgetwin/gateway
UNIT=/etc/systemd/system/edgetwin-gateway.service

if [ "$(id -u)" != "0" ]; then echo "install.sh: run as root (sudo)" >&2; exit 1; fi
command -v dotnet >/dev/null || { echo "install.sh: the .NET 10 runtime (dotnet) is required" >&2; exit 1; }

id edgetwin >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgetwin --shell /usr/sbin/nologin edgetwin
# I2C/GPIO access for real sensors, BlueZ over D-Bus for BLE devices (groups that exist on this box).
for g in i2c gpio dialout bluetooth; do getent group "$g" >/dev/null && usermod -aG "$g" edgetwin || true; done

dotnet publish src/Gateway -c Release -o "$PREFIX" -nologo -v quiet
install -d -m 0755 "$PREFIX/docs" && cp docs/operations.md "$PREFIX/docs/" 2>/dev/null || true
install -m 0644 deploy/systemd/edgetwin-gateway.service "$UNIT"
install -d -m 0750 -o root -g edgetwin /etc/edgetwin
[ -f /etc/edgetwin/gateway.env ] || install -m 0640 -o root -g edgetwin deploy/systemd/gateway.env /etc/edgetwin/gateway.env

systemctl daemon-reload
systemctl enable edgetwin-gateway.service
systemctl restart edgetwin-gateway.service
echo "installed: journalctl -u edgetwin-gateway -f   |   curl -s http://127.0.0.1:8480/status"
