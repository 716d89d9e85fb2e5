namespace EdgeTwin.Drivers.Ble;

using EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// One session's glucose records: the watches of the context and Record Access Control Point
/// characteristics, the measurement waiting for its context (same sequence number), and the last
/// record held.
/// </summary>
internal sealed class GlucoseRecords : IDisposable
{
    public List<IDisposable> Watches { get; } = [];

    public GlucoseMeasurement? Pending { get; set; }

    public DateTimeOffset PendingArrivedAt { get; set; }

    /// <summary>The last record held (the cursor), null before the first.</summary>
    public long? Last { get; set; }

    public void Dispose()
    {
        foreach (var watch in Watches)
        {
            watch.Dispose();
        }
    }
}
