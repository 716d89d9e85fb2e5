namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Twin.Desired;
using Microsoft.Extensions.Hosting;

/// <summary>Subscribes the desired-state handler to <c>twin/desired</c> before the uplink first connects.</summary>
internal sealed class DesiredSubscription(IUplink uplink, DesiredStateHandler handler) : IHostedService
{
    public const string Subtopic = "twin/desired";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        uplink.Subscribe(Subtopic, (payload, ct) => handler.HandleAsync(payload, ct));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
