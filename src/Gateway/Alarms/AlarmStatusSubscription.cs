namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Telemetry.Documents;
using Microsoft.Extensions.Hosting;

/// <summary>Subscribes the alarm-status handler to <c>alarm-status</c> before the uplink first connects.</summary>
internal sealed class AlarmStatusSubscription(IUplink uplink, AlarmStatusHandler handler) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        uplink.Subscribe(AlarmStatusDocument.Subtopic, async (payload, ct) => await handler.HandleAsync(payload, ct).ConfigureAwait(false));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
