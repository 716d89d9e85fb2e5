namespace EdgeTwin.Gateway.Twin.Desired;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Lays a document's changes over the configuration in force. Device settings must name a device
/// of this box and a stream that device has: a rate for a device that does not exist would be
/// silently without effect. With <c>devices</c> null (restoring an overlay that was checked when it
/// was applied) device settings are taken as they are.
/// </summary>
internal static class ConfigurationMerge
{
    public static bool TryMerge(
        TwinConfiguration current,
        DesiredSettings change,
        IReadOnlyDictionary<string, DeviceInfo>? devices,
        out TwinConfiguration next,
        out string? problem)
    {
        next = current;
        var deviceSettings = current.Devices;
        foreach (var (deviceId, deviceChange) in change.Devices)
        {
            DeviceInfo? info = null;
            if (devices is not null && !devices.TryGetValue(deviceId, out info))
            {
                problem = "unknown-device:" + deviceId;
                return false;
            }

            var settings = current.For(deviceId);
            var rates = settings.SampleRatesHz;
            foreach (var (code, hz) in deviceChange.SampleRatesHz)
            {
                var stream = info?.Streams.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.Ordinal));
                if (info is not null && stream is null)
                {
                    problem = $"unknown-stream:{deviceId}/{code}";
                    return false;
                }

                // The box can thin a stream out, not sample faster than the device does.
                if (stream is not null && hz > stream.NominalRateHz)
                {
                    problem = $"out-of-range:devices.{deviceId}.sampleRates.{code} (above the nominal {stream.NominalRateHz} Hz)";
                    return false;
                }

                rates = rates.SetItem(code, hz);
            }

            deviceSettings = deviceSettings.SetItem(deviceId, new DeviceSettings(deviceChange.Enabled ?? settings.Enabled, rates));
        }

        var thresholds = current.Thresholds;
        foreach (var (name, value) in change.Thresholds)
        {
            thresholds = ThresholdCatalog.With(thresholds, name, value);
        }

        problem = ThresholdCatalog.CheckConsistent(thresholds);
        if (problem is not null)
        {
            return false;
        }

        next = new TwinConfiguration(
            deviceSettings,
            thresholds,
            new CheckpointPolicy { MaxRecords = change.CheckpointMaxRecords ?? current.Checkpoint.MaxRecords, MaxDelay = change.CheckpointMaxDelay ?? current.Checkpoint.MaxDelay },
            new QuotaSettings(change.TelemetryQuotaBytes ?? current.Quotas.TelemetryMaxBytes));
        return true;
    }
}
