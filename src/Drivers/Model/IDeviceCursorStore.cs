namespace EdgeTwin.Drivers.Model;

/// <summary>
/// Where a driver keeps, durably, the last stored record it has read from a device (a glucose meter's
/// sequence number), so that after a restart or a time out of range it asks only for newer ones:
/// nothing read twice, nothing skipped. The gateway keeps it in its data directory.
/// </summary>
public interface IDeviceCursorStore
{
    /// <summary>The last record read under <paramref name="key"/>; null when none was read yet.</summary>
    long? Read(string key);

    /// <summary>Records <paramref name="last"/> before returning (durably, for a store on disk).</summary>
    void Write(string key, long last);
}
