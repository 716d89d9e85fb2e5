namespace EdgeTwin.Gateway.Tests.Support;

using Microsoft.Extensions.Hosting;

/// <summary>A host lifetime that only notes whether something asked the gateway to stop (a full disk must not).</summary>
internal sealed class WatchedLifetime : IHostApplicationLifetime
{
    public bool StopRequested { get; private set; }

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => StopRequested = true;
}
