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

    /// <summary>Reads the form back (UTC); false for anything else, including a date that does not exist.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        Span<char> chars = stackalloc char[Length];
        if (text.Length != Length || System.Text.Encoding.ASCII.GetChars(text, chars) != Length
            || !DateTime.TryParseExact(chars, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return false;
        }

        time = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    /// <summary>Truncates to whole milliseconds, the resolution of the wire.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
