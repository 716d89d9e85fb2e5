namespace EdgeTwin.Drivers.Configuration;

using System.Globalization;

/// <summary>Typed reads of a device's free-form settings, failing with the device and key named.</summary>
internal static class DeviceSettings
{
    public static bool Bool(this DeviceOptions device, string key, bool fallback) =>
        !device.Settings.TryGetValue(key, out var text) ? fallback
        : bool.TryParse(text, out var value) ? value
        : throw Bad(device, key, text, "true or false");

    public static int Int(this DeviceOptions device, string key, int fallback, int min, int max)
    {
        if (!device.Settings.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Bad(device, key, text, $"an integer {min}-{max}");
    }

    public static double Double(this DeviceOptions device, string key, double fallback, double min, double max)
    {
        if (!device.Settings.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Bad(device, key, text, $"a number {min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>A text setting; null when absent or blank.</summary>
    public static string? Text(this DeviceOptions device, string key) =>
        device.Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    internal static DriverConfigurationException Bad(this DeviceOptions device, string key, string text, string allowed) =>
        new($"Devices ({device.Id}, {device.Type}):{key}: '{text}' is not valid; expected {allowed}.");
}
