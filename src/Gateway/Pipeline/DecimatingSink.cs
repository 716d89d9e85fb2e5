namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin;

/// <summary>
/// Puts desired sample rates in force between a driver and the pipeline. A rate below the stream's
/// nominal rate keeps every k-th sample (k = nominal / rate, rounded) and labels the stream with the
/// rate it now has, so the recorder's time grid stays exact; the device itself keeps sampling (the
/// driver model has no rate control). Read on every sample, so a new document takes effect at once.
/// One per driver: a driver writes from one task.
/// </summary>
internal sealed class DecimatingSink(ISampleSink inner, ShadowTwin twin) : ISampleSink
{
    private readonly Dictionary<string, (int Every, long Seen, StreamCode Stream)> _streams = new(StringComparer.Ordinal);

    public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken)
    {
        var nominal = sample.Stream.NominalRateHz;
        if (nominal <= 0 || !twin.Control.Configuration.For(sample.DeviceId).SampleRatesHz.TryGetValue(sample.Stream.Code, out var hz) || hz >= nominal)
        {
            _streams.Remove(sample.Stream.Code);
            return inner.WriteAsync(sample, cancellationToken);
        }

        var every = Math.Max(1, (int)Math.Round(nominal / hz));
        if (!_streams.TryGetValue(sample.Stream.Code, out var state) || state.Every != every || state.Stream.NominalRateHz * every != nominal)
        {
            state = (every, 0, sample.Stream with { NominalRateHz = nominal / every });
        }

        var keep = state.Seen % every == 0;
        _streams[sample.Stream.Code] = state with { Seen = state.Seen + 1 };
        return keep ? inner.WriteAsync(sample with { Stream = state.Stream }, cancellationToken) : ValueTask.CompletedTask;
    }
}
