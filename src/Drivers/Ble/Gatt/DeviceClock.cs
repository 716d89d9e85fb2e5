namespace EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// When a measurement that carries the device's own time stamp is charted (issue 19: never at the
/// wrong time). The stamp is the device's local wall clock, read in the box's time zone. Within
/// <see cref="MaxLag"/> before its arrival (a cuff indicates after it deflates; a scale after it
/// settles) and at most <see cref="MaxLead"/> after it, the sample is charted at the device's time;
/// otherwise the device clock is wrong (never set, drifted, another zone) and the sample is charted
/// at its arrival and the offset is reported, so the caller can log it and count it.
/// </summary>
internal static class DeviceClock
{
    public static readonly TimeSpan MaxLag = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan MaxLead = TimeSpan.FromSeconds(5);

    /// <returns>The time to chart the sample at; <paramref name="offBy"/> is the device clock's error when it was not used.</returns>
    public static DateTimeOffset Chart(DateTime deviceLocal, DateTimeOffset arrived, TimeZoneInfo zone, out TimeSpan? offBy)
    {
        var device = InZone(deviceLocal, zone);
        var lag = arrived - device;
        if (lag <= MaxLag && lag >= -MaxLead)
        {
            offBy = null;
            return device.ToUniversalTime();
        }

        offBy = device - arrived;
        return arrived;
    }

    /// <summary>
    /// How far the device's clock is ahead of the box's (negative: behind), from a reading of its Current
    /// Time; to the whole second, the resolution of the time stamps it corrects.
    /// </summary>
    public static TimeSpan Error(DateTime deviceNow, DateTimeOffset boxNow, TimeZoneInfo zone) =>
        TimeSpan.FromSeconds(Math.Round((InZone(deviceNow, zone) - boxNow).TotalSeconds));

    /// <summary>
    /// A stored record (downloaded through the Record Access Control Point, so measured before this
    /// connection, perhaps hours ago): its device time corrected by the device clock's error read at this
    /// connection, before the box set the clock. A corrected time later than its arrival (beyond
    /// <see cref="MaxLead"/>) cannot be a stored measurement: charted at its arrival, <paramref name="offBy"/> reported.
    /// </summary>
    public static DateTimeOffset ChartStored(DateTime deviceLocal, TimeSpan clockError, DateTimeOffset arrived, TimeZoneInfo zone, out TimeSpan? offBy)
    {
        var corrected = InZone(deviceLocal, zone) - clockError;
        if (corrected - arrived <= MaxLead)
        {
            offBy = null;
            return corrected.ToUniversalTime();
        }

        offBy = corrected - arrived;
        return arrived;
    }

    private static DateTimeOffset InZone(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return new DateTimeOffset(local, zone.IsInvalidTime(local) ? zone.BaseUtcOffset : zone.GetUtcOffset(local));
    }
}
