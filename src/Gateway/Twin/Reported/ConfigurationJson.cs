namespace EdgeTwin.Gateway.Twin.Reported;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Telemetry.Desired;

/// <summary>The configuration in force as the reported twin shows it: the same names as the desired schema.</summary>
internal static class ConfigurationJson
{
    public static JsonObject Write(TwinConfiguration configuration)
    {
        var devices = new JsonObject();
        foreach (var (deviceId, settings) in configuration.Devices)
        {
            var rates = new JsonObject();
            foreach (var (code, hz) in settings.SampleRatesHz)
            {
                rates[code] = hz;
            }

            devices[deviceId] = new JsonObject { ["enabled"] = settings.Enabled, ["sampleRates"] = rates };
        }

        var thresholds = new JsonObject();
        foreach (var name in ThresholdCatalog.Names)
        {
            thresholds[name] = ThresholdCatalog.Get(configuration.Thresholds, name);
        }

        return new JsonObject
        {
            ["devices"] = devices,
            ["alarms"] = new JsonObject { ["thresholds"] = thresholds },
            ["checkpoint"] = new JsonObject
            {
                ["maxRecords"] = configuration.Checkpoint.MaxRecords,
                ["maxDelayMs"] = (long)configuration.Checkpoint.MaxDelay.TotalMilliseconds,
            },
            ["quotas"] = new JsonObject
            {
                ["telemetryMaxBytes"] = configuration.Quotas.TelemetryMaxBytes,
            },
        };
    }
}
