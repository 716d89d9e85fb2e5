namespace EdgeTwin.Hl7v2;

using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// HL7 v2 TS/DTM: <c>YYYYMMDDHHMM[SS[.S[S[S[S]]]]][+/-ZZZZ]</c>. A vital sign needs at least minute
/// precision, so shorter forms are refused. A time without an offset is local time in the
/// configured zone (monitors commonly send wall-clock time); a local time that does not exist (the
/// spring-forward gap) is refused, an ambiguous one (the autumn repeat) is read as standard time.
/// </summary>
public static partial class Hl7Timestamp
{
    public static bool TryParse(string text, TimeZoneInfo localZone, out DateTimeOffset value, out string? problem)
    {
        value = default;
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            problem = $"'{text}' is not a timestamp YYYYMMDDHHMM[SS[.SSSS]][+/-ZZZZ]";
            return false;
        }

        int Part(string name) => match.Groups[name].Success ? int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        DateTime local;
        try
        {
            local = new DateTime(Part("y"), Part("mo"), Part("d"), Part("h"), Part("mi"), Part("s"), DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            problem = $"'{text}' is not a valid date and time";
            return false;
        }

        if (match.Groups["f"].Success)
        {
            var fraction = match.Groups["f"].Value.PadRight(7, '0');
            local = local.AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture));
        }

        TimeSpan offset;
        if (match.Groups["z"].Success)
        {
            var hours = Part("zh");
            var minutes = Part("zm");
            if (hours > 14 || minutes > 59)
            {
                problem = $"'{text}' has an impossible offset";
                return false;
            }

            offset = new TimeSpan(hours, minutes, 0);
            offset = match.Groups["z"].Value == "-" ? -offset : offset;
        }
        else
        {
            if (localZone.IsInvalidTime(local))
            {
                problem = $"'{text}' does not exist in {localZone.Id} (daylight-saving gap)";
                return false;
            }

            offset = localZone.GetUtcOffset(local);
        }

        // Samples of every driver carry UTC, so equal instants format and group alike downstream.
        value = new DateTimeOffset(local, offset).ToUniversalTime();
        problem = null;
        return true;
    }

    /// <summary>Formats a time for MSH-7 of an ACK, in UTC with an explicit offset.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000";

    [GeneratedRegex(@"^(?<y>[0-9]{4})(?<mo>[0-9]{2})(?<d>[0-9]{2})(?<h>[0-9]{2})(?<mi>[0-9]{2})(?:(?<s>[0-9]{2})(?:\.(?<f>[0-9]{1,4}))?)?(?:(?<z>[+-])(?<zh>[0-9]{2})(?<zm>[0-9]{2}))?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Pattern();
}
