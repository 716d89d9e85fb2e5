namespace EdgeTwin.Gateway.Pipeline;

using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>
/// Runs the drivers into a bounded channel and the recorder out of it. Stopping drains it in
/// order: drivers stop, the recorder records every sample still in the channel and every open
/// run, every chain gets a final checkpoint, and the group committer commits it all, so the
/// uplink's graceful stop can publish a fully signed stream.
/// </summary>
internal sealed class PipelineService(
    IDriverSource drivers,
    Recorder recorder,
    ChainBook book,
    GroupCommitter committer,
    ILogger<PipelineService> logger) : IHostedService, IAsyncDisposable
{
    private const int ChannelCapacity = 32_768;
    private readonly CancellationTokenSource _driversStop = new();
    private readonly List<Task> _driverTasks = [];
    private IReadOnlyList<IDeviceDriver> _drivers = [];
    private Channel<Sample>? _channel;
    private Task _recorderTask = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _channel = Channel.CreateBounded<Sample>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _recorderTask = Task.Run(() => recorder.RunAsync(_channel.Reader, CancellationToken.None), CancellationToken.None);
        var sink = new ChannelSampleSink(_channel.Writer);
        _drivers = drivers.CreateDrivers();
        foreach (var driver in _drivers)
        {
            _driverTasks.Add(Task.Run(() => RunDriverAsync(driver, sink), CancellationToken.None));
        }

        GatewayLog.PipelineStarted(logger, _drivers.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _driversStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_driverTasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        _channel?.Writer.TryComplete();
        await _recorderTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        book.CheckpointAll();
        await committer.CommitNowAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync().ConfigureAwait(false);
        }

        _driversStop.Dispose();
    }

    private async Task RunDriverAsync(IDeviceDriver driver, ISampleSink sink)
    {
        try
        {
            await driver.RunAsync(sink, _driversStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_driversStop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A driver must not throw for device faults; if one does, say so in the audit trail.
            GatewayLog.DriverFailed(logger, driver.Info.DeviceId, ex);
            book.AppendEvent("driver-failed", new JsonObject { ["device"] = driver.Info.DeviceId, ["error"] = ex.Message });
        }
    }
}
