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
        ArgumentNullException.ThrowIfNull(zone);
        var device = new DateTimeOffset(deviceLocal, zone.IsInvalidTime(deviceLocal) ? zone.BaseUtcOffset : zone.GetUtcOffset(deviceLocal));
        var lag = arrived - device;
        if (lag <= MaxLag && lag >= -MaxLead)
        {
            offBy = null;
            return device.ToUniversalTime();
        }

        offBy = device - arrived;
        return arrived;
    }
}
