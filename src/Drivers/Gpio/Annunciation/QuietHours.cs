namespace EdgeTwin.Drivers.Gpio.Annunciation;

using System.Globalization;
using Microsoft.Extensions.Logging;

/// <summary>
/// The home alarm policy (<c>Annunciator:QuietHours</c>, e.g. <c>22:00-07:00</c>, in the box's local
/// time or <c>Annunciator:TimeZone</c>): while it holds, only a high-priority alarm sounds the buzzer;
/// a medium one shows its light only. Every alarm is still recorded on the alarm lane and reaches the
/// cloud (and the carers' alarm manager through the ingest, docs/alarms-out.md) at once.
/// </summary>
public sealed class QuietHours
{
    private QuietHours(TimeOnly from, TimeOnly until, TimeZoneInfo zone)
    {
        From = from;
        Until = until;
        Zone = zone;
    }

    public TimeOnly From { get; }

    public TimeOnly Until { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses <c>HH:mm-HH:mm</c> (past midnight when the end is earlier than the start) in
    /// <paramref name="timeZone"/> (an IANA id; empty: the box's local zone). Null for an empty value.
    /// </summary>
    public static QuietHours? Parse(string? value, string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = value.Split('-');
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(parts[1].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until))
        {
            throw new FormatException($"'{value}' is not HH:mm-HH:mm (e.g. 22:00-07:00)");
        }

        if (from == until)
        {
            throw new FormatException($"'{value}' starts and ends at the same time; leave it empty for no quiet hours");
        }

        TimeZoneInfo zone;
        try
        {
            zone = string.IsNullOrWhiteSpace(timeZone) ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"'{timeZone}' is not a time zone this box knows (an IANA id such as Europe/Berlin)", ex);
        }

        return new QuietHours(from, until, zone);
    }

    /// <summary>Whether <paramref name="utc"/> falls in the quiet hours, in their time zone.</summary>
    public bool Contains(DateTimeOffset utc)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, Zone).DateTime);
        return From < Until ? local >= From && local < Until : local >= From || local < Until;
    }

    /// <summary>Whether the buzzer stays silent for <paramref name="level"/> at <paramref name="utc"/>: quiet hours, and not high priority.</summary>
    public bool Withholds(AnnunciationLevel level, DateTimeOffset utc) => level != AnnunciationLevel.High && Contains(utc);

    public override string ToString() => $"{From:HH\\:mm}-{Until:HH\\:mm} ({Zone.Id})";
}

internal static partial class QuietHoursLog
{
    [LoggerMessage(EventId = 4204, Level = LogLevel.Information, Message = "Annunciation level {Level} during quiet hours {QuietHours}: light only, no buzzer (only a high-priority alarm sounds); the alarm is recorded and sent as always")]
    public static partial void Withheld(ILogger logger, AnnunciationLevel level, string quietHours);
}
