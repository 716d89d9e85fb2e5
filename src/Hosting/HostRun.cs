namespace EdgeTwin.Hosting;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>Starts a host and waits for its stop, the same way for the gateway and the ingest.</summary>
public static class HostRun
{
    /// <summary>
    /// Starts <paramref name="host"/>, then waits until it stops. A stop (SIGTERM) that comes while the
    /// host is still starting (Kestrel binds last) ends like any stop: the services that had started
    /// are stopped, with no unhandled <see cref="OperationCanceledException"/> (it used to abort the
    /// process, exit 134, about one stop in two right after a start).
    /// </summary>
    public static async Task StartThenWaitAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }

        await host.WaitForShutdownAsync().ConfigureAwait(false);
    }
}
