namespace EdgeTwin.Drivers.Model;

/// <summary>A vital sign (spot or 1 Hz trend) or a sampled waveform.</summary>
public enum StreamKind
{
    Vital,
    Waveform,
}
