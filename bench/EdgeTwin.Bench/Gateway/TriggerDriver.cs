namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Threading.Channels;
using EdgeTwin.Drivers.Model;

/// <summary>
/// A bench device whose heart-rate samples the benchmark writes on demand, through the same
/// pipeline sink as every driver: <see cref="Send"/> returns the Stopwatch time the sample entered
/// the gateway, so an alarm is timed from the sample that triggers it.
/// </summary>
internal sealed class TriggerDriver : IDeviceDriver
{
    public const string DeviceId = "bench-trigger";

    private readonly Channel<(double Value, TaskCompletionSource<long> Sent)> _requests = Channel.CreateUnbounded<(double, TaskCompletionSource<long>)>();

    public DeviceInfo Info { get; } = new(DeviceId, "bench trigger", "0", "0", null, [StreamCodes.HeartRate]);

    public DeviceHealth Health => DeviceHealth.Ok;

    /// <summary>Whether the last sample sent raised the alarm (the next one should clear it).</summary>
    public bool Raised { get; set; }

    /// <summary>Writes one heart-rate sample; completes with the Stopwatch time just before the write.</summary>
    public Task<long> Send(double value)
    {
        var sent = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Writer.TryWrite((value, sent));
        return sent.Task;
    }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        await foreach (var (value, sent) in _requests.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var t0 = Stopwatch.GetTimestamp();
            await sink.WriteAsync(new Sample(DeviceId, StreamCodes.HeartRate, DateTimeOffset.UtcNow, value), cancellationToken).ConfigureAwait(false);
            sent.TrySetResult(t0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
