namespace EdgeTwin.Gateway.Hosting;

using System.Globalization;
using EdgeTwin.Gateway.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

/// <summary>
/// Pings the systemd watchdog (<c>WatchdogSec=</c> in the unit) only while the group committer
/// keeps coming round: a gateway that stopped making records durable gets restarted by systemd.
/// Does nothing when not run under systemd (AddSystemd then registers no notifier) or without a watchdog.
/// </summary>
internal sealed class WatchdogService(GroupCommitter committer, TimeProvider time, ISystemdNotifier? notifier = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (notifier is not { IsEnabled: true } || !long.TryParse(usec, NumberStyles.Integer, CultureInfo.InvariantCulture, out var micro) || micro <= 0)
        {
            return;
        }

        var interval = TimeSpan.FromMicroseconds(micro);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (committer.SinceLastLoop < interval / 2)
            {
                notifier!.Notify(new ServiceState("WATCHDOG=1"));
            }

            try
            {
                await Task.Delay(interval / 4, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
