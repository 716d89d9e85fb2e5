namespace EdgeTwin.Gateway.Privacy;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Desired;

/// <summary>The class of a device stream, and what the outbox may evict of it (wire names: <see cref="StreamClassNames"/>).</summary>
internal static class StreamClasses
{
    /// <summary>
    /// The consent class of a stream. Location codes (<c>loc:</c>, from real-time location tags) are
    /// their own class so that a patient can share vitals without being tracked.
    /// </summary>
    public static StreamClass Of(StreamCode stream) =>
        stream.Code.StartsWith("loc:", StringComparison.Ordinal) ? StreamClass.Location
        : stream.Kind == StreamKind.Waveform ? StreamClass.Waveforms
        : StreamClass.Vitals;

    /// <summary>
    /// What the outbox may evict of a stream's records under quota or disk pressure, decided from the
    /// one class of the stream (the outbox stores it as its <see cref="RecordClass"/>): waveforms first,
    /// then vitals and location; alarms never.
    /// </summary>
    public static RecordClass Eviction(StreamClass value) => value switch
    {
        StreamClass.Waveforms => RecordClass.Waveform,
        StreamClass.Vitals or StreamClass.Location => RecordClass.Vital,
        StreamClass.Alarms => RecordClass.Keep,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };
}
