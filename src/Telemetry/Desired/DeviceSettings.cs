namespace EdgeTwin.Telemetry.Desired;

using System.Collections.Immutable;

/// <summary>
/// One device's settings in force: whether it runs, and the sample rate (Hz) asked of each of its
/// streams; a stream not listed runs at its nominal rate.
/// </summary>
public sealed record DeviceSettings(bool Enabled, ImmutableSortedDictionary<string, double> SampleRatesHz)
{
    public const double MaxSampleRateHz = 2000;

    public static DeviceSettings Default { get; } = new(true, ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal));

    public bool Equals(DeviceSettings? other) =>
        other is not null && Enabled == other.Enabled && SampleRatesHz.SequenceEqual(other.SampleRatesHz);

    public override int GetHashCode() => HashCode.Combine(Enabled, SampleRatesHz.Count);
}
