namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Options;

/// <summary>
/// Puts the checkpoint cadence and the telemetry quota in force: the chain writers take the new
/// policy at their next checkpoint decision, the evictor reads the quota on every pass.
/// </summary>
internal sealed class OutboxSettingsTarget(ChainBook book, IOptions<OutboxOptions> outbox) : IDesiredSettingsTarget
{
    public void Apply(TwinConfiguration configuration)
    {
        book.SetCheckpointPolicy(configuration.Checkpoint);
        outbox.Value.TelemetryQuotaBytes = configuration.Quotas.TelemetryMaxBytes;
    }

    /// <summary>The outbox part of the local configuration, before any desired document.</summary>
    public static TwinConfiguration Local(OutboxOptions options) => TwinConfiguration.Default with
    {
        Checkpoint = options.Checkpoint,
        Quotas = new QuotaSettings(options.TelemetryQuotaBytes),
    };
}
