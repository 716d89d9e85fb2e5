namespace EdgeTwin.Telemetry.Wire;

using System.Globalization;

/// <summary>The one timestamp form of ETP/1: UTC, milliseconds, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
public static class EtpTime
{
    public const int Length = 24;

    public static int Format(DateTimeOffset time, Span<byte> destination)
    {
        time.UtcDateTime.TryFormat(destination, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        return written;
    }

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Truncates to whole milliseconds, the resolution of the wire.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
