namespace EdgeTwin.Drivers.Configuration;

using EdgeTwin.Hl7v2;
using System.Net;

/// <summary>Reads an <c>hl7-mllp</c> device's settings, failing with the device and key named.</summary>
internal static class Hl7MllpConfiguration
{
    public static Hl7.Hl7MllpSettings Read(DeviceOptions device)
    {
        var addressText = device.Settings.TryGetValue("Address", out var a) ? a : "127.0.0.1";
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw device.Bad("Address", addressText, "an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0");
        }

        var zone = TimeZoneInfo.Local;
        if (device.Settings.TryGetValue("TimeZone", out var zoneId))
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw device.Bad("TimeZone", zoneId, "an IANA time zone id such as Europe/Berlin");
            }
        }

        var degraded = device.Int("SilenceDegradedSeconds", 30, 1, 3600);
        var lost = device.Int("LostAfterSeconds", 120, 1, 86_400);
        if (lost <= degraded)
        {
            throw device.Bad("LostAfterSeconds", lost.ToString(System.Globalization.CultureInfo.InvariantCulture), $"more than SilenceDegradedSeconds ({degraded})");
        }

        var application = device.Text("SendingApplication");
        if (application is null && !IPAddress.IsLoopback(address))
        {
            throw device.Bad("SendingApplication", "", $"the MSH-3 the monitor sends: required when Address ({address}) is not loopback, so that a message from another application is refused");
        }

        return new Hl7.Hl7MllpSettings(
            device.Id,
            address,
            device.Int("Port", Hl7.Hl7MllpSettings.DefaultPort, 1, 65_535),
            zone,
            application,
            device.Text("SendingFacility"),
            device.Int("MaxFrameBytes", Hl7.Hl7MllpSettings.DefaultMaxFrameBytes, 1024, 4 * 1024 * 1024),
            TimeSpan.FromMilliseconds(device.Int("ReadTimeoutMs", 10_000, 100, 600_000)),
            TimeSpan.FromSeconds(degraded),
            TimeSpan.FromSeconds(lost),
            AllowedPeers: Peers(device),
            Tls: MllpTlsConfiguration.Read(device));
    }

    /// <summary><c>AllowedPeers</c> (addresses or CIDR networks, comma-separated or as a list); default <c>MonitorAddress</c>, else loopback.</summary>
    private static IReadOnlyList<IPNetwork> Peers(DeviceOptions device)
    {
        var entries = device.Settings
            .Where(s => s.Key.Equals("AllowedPeers", StringComparison.OrdinalIgnoreCase) || s.Key.StartsWith("AllowedPeers:", StringComparison.OrdinalIgnoreCase))
            .SelectMany(s => s.Value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => (s.Key, Value: v)))
            .ToList();
        if (entries.Count == 0 && device.Text("MonitorAddress") is { } monitor)
        {
            entries.Add(("MonitorAddress", monitor));
        }

        var peers = new List<IPNetwork>();
        foreach (var (key, value) in entries)
        {
            if (PeerNetworks.TryParse(value, out var network))
            {
                peers.Add(network);
            }
            else
            {
                throw device.Bad(key, value, "IP addresses or networks (10.20.0.15, 10.20.0.0/24), comma-separated");
            }
        }

        return peers.Count > 0 ? peers : Hl7.Hl7MllpSettings.LoopbackOnly;
    }
}
