namespace EdgeTwin.Gateway.Configuration;

using EdgeTwin.Drivers.Configuration;

/// <summary>
/// <c>Recorder:*</c> settings: how samples become records (docs/operations.md, "Records on a metered link").
/// The defaults are the ward's: plain <c>obs</c> records, one per stream and second. <c>Compact</c>
/// writes <c>obs-compact</c> records (docs/protocol.md §4): per device and interval, the streams of one
/// class together, each on its quantum.
/// </summary>
internal sealed class RecorderOptions
{
    public const string Section = "Recorder";

    /// <summary>Write <c>obs-compact</c> records for every stream that has a quantum; others stay plain.</summary>
    public bool Compact { get; set; }

    /// <summary>How long a record of vitals (and location) spans at most.</summary>
    [TimeSpanRange("00:00:01", "00:01:00")]
    public TimeSpan VitalsInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a record of waveforms spans at most.</summary>
    [TimeSpanRange("00:00:01", "00:01:00")]
    public TimeSpan WaveformsInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>code=quantum</c> entries over the built-in table (<c>QuantumTable</c>), e.g. <c>loinc:8310-5=0.1</c>,
    /// for streams whose driver states no resolution (a stated one always wins: no sample is rounded
    /// coarser than its source); <c>code=</c> removes a code (that stream is then recorded plain).
    /// </summary>
    public List<string> Quanta { get; set; } = [];
}
