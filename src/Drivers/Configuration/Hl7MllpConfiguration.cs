namespace EdgeTwin.Drivers.Configuration;

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

        return new Hl7.Hl7MllpSettings(
            device.Id,
            address,
            device.Int("Port", Hl7.Hl7MllpSettings.DefaultPort, 1, 65_535),
            zone,
            Text(device, "SendingApplication"),
            Text(device, "SendingFacility"),
            device.Int("MaxFrameBytes", Hl7.Hl7MllpSettings.DefaultMaxFrameBytes, 1024, 4 * 1024 * 1024),
            TimeSpan.FromMilliseconds(device.Int("ReadTimeoutMs", 10_000, 100, 600_000)),
            TimeSpan.FromSeconds(degraded),
            TimeSpan.FromSeconds(lost));
    }

    private static string? Text(DeviceOptions device, string key) =>
        device.Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
