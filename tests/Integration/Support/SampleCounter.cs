namespace EdgeTwin.Integration.Tests.Support;

using System.Collections.Concurrent;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;

/// <summary>Counts every sample the pipeline saw, per (device, code): the "produced" side of the proof.</summary>
internal sealed class SampleCounter : ISampleObserver
{
    public ConcurrentDictionary<(string Device, string Code), long> Counts { get; } = new();

    public void OnSample(in Sample sample) => Counts.AddOrUpdate((sample.DeviceId, sample.Stream.Code), 1, (_, n) => n + 1);
}
