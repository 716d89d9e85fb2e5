namespace EdgeTwin.Inference.Vitals;

using EdgeTwin.Drivers.Model;

/// <summary>
/// Marks SpO2 samples that fall faster than physiology allows as invalid for inference (the
/// recorder still keeps the raw value). While an episode lasts, values are compared with the last
/// believed reading; the episode ends when a value is back within reach of it, or when the low
/// level has held for <see cref="ArtefactOptions.SpO2MaxArtefact"/>, after which it is believed.
/// Thread-safe; state per device.
/// </summary>
internal sealed class ArtefactFilter(ArtefactOptions options)
{
    private readonly Dictionary<string, State> _byDevice = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Sample Filter(Sample sample)
    {
        if (!options.Enabled || sample.Stream.Code != VitalStreams.SpO2 || sample.Value is not { } value)
        {
            return sample;
        }

        lock (_gate)
        {
            if (!_byDevice.TryGetValue(sample.DeviceId, out var state))
            {
                _byDevice[sample.DeviceId] = new State(value, sample.Timestamp, null);
                return sample;
            }

            var seconds = Math.Max(1, (sample.Timestamp - state.BelievedAt).TotalSeconds);
            var reachable = state.Believed - (options.SpO2MaxFallPerSecond * (state.EpisodeSince is null ? seconds : 1));
            var episodeTooLong = state.EpisodeSince is { } since && sample.Timestamp - since >= options.SpO2MaxArtefact;
            if (value >= reachable || episodeTooLong)
            {
                _byDevice[sample.DeviceId] = new State(value, sample.Timestamp, null);
                return sample;
            }

            _byDevice[sample.DeviceId] = state with { EpisodeSince = state.EpisodeSince ?? sample.Timestamp };
            return sample with { Value = null };
        }
    }

    /// <param name="Believed">Last value taken as physiology.</param>
    /// <param name="EpisodeSince">Start of the current artefact episode, or null.</param>
    private sealed record State(double Believed, DateTimeOffset BelievedAt, DateTimeOffset? EpisodeSince);
}
