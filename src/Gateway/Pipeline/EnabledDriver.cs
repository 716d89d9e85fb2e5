namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Logging;

/// <summary>
/// Runs a driver only while the desired state has its device enabled: <c>enabled: false</c> stops it
/// (within <see cref="CheckInterval"/>; the device is released, e.g. the I2C sensor closed or the
/// MLLP port freed), <c>true</c> starts it again. Drivers are restartable (one run at a time, each
/// opening what it needs). Samples written between the change and the stop are still withheld by the
/// patient resolver.
/// </summary>
internal sealed partial class EnabledDriver(IDeviceDriver inner, Func<bool> enabled, TimeProvider time, ILogger logger) : IDeviceDriver
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private volatile bool _running;

    public DeviceInfo Info => inner.Info;

    public DeviceHealth Health => inner.Health;

    /// <summary>Whether the inner driver is running now (false while its device is disabled).</summary>
    public bool Running => _running;

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!enabled())
            {
                if (first)
                {
                    LogDisabled(logger, Info.DeviceId);
                }

                first = false;
                await Task.Delay(CheckInterval, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!first)
            {
                LogEnabled(logger, Info.DeviceId);
            }

            first = false;
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _running = true;
            var task = inner.RunAsync(sink, run.Token);
            try
            {
                while (!task.IsCompleted && enabled() && !cancellationToken.IsCancellationRequested)
                {
                    await Task.WhenAny(task, Task.Delay(CheckInterval, time, cancellationToken)).ConfigureAwait(false);
                }

                if (!task.IsCompleted)
                {
                    if (!cancellationToken.IsCancellationRequested)
                    {
                        LogDisabled(logger, Info.DeviceId); // not when the pipeline is stopping
                    }

                    await run.CancelAsync().ConfigureAwait(false);
                }

                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                // Stopped: disabled, or the pipeline is stopping.
            }
            finally
            {
                _running = false;
            }
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    [LoggerMessage(EventId = 5021, Level = LogLevel.Information, Message = "Device {DeviceId} disabled by the desired state: its driver is stopped")]
    private static partial void LogDisabled(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Device {DeviceId} enabled by the desired state: its driver starts")]
    private static partial void LogEnabled(ILogger logger, string deviceId);
}
