namespace EdgeTwin.Gateway.Twin;

using System.Globalization;

/// <summary>Timestamps in twin documents and events use the ETP/1 form: UTC, milliseconds, <c>Z</c>.</summary>
internal static class TwinTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
}
