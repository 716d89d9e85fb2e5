namespace EdgeTwin.Outbox;

/// <summary>What eviction may do with a record under quota pressure: waveforms go first, then vitals; the rest stays.</summary>
public enum RecordClass
{
    Keep = 0,
    Vital = 1,
    Waveform = 2,
}
