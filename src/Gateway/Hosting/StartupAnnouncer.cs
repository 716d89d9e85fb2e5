namespace EdgeTwin.Gateway.Hosting;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>One line at start naming the gateway, its key address and where its state lives.</summary>
internal sealed class StartupAnnouncer(IOptions<GatewayOptions> options, GatewayIdentity identity, ILogger<StartupAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GatewayLog.Started(logger, options.Value.Name, options.Value.Site, identity.Key.Address, options.Value.DataDirectoryFullPath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
