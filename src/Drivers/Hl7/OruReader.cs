namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Turns the observations of an ORU^R01 into samples. The message structure must hold (an OBR
/// before any OBX, a readable MSH-7) or the whole message is refused; a single OBX that cannot be
/// used (unknown code, not numeric, bad time, wrong unit) is skipped with its reason while the
/// others still count. A result status other than F, R or C, an empty value, or a value outside
/// the stream's plausible range gives an invalid (null) sample, which is kept.
/// </summary>
internal static class OruReader
{
    private static readonly string[] AcceptedStatuses = ["F", "R", "C"];

    /// <summary>An observation time further ahead of the box clock than this is a monitor clock error, not a reading.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(5);

    /// <summary>Older than this is not a live reading or a backfill after an outage, but a clock error or an old file.</summary>
    public static readonly TimeSpan MaxBehind = TimeSpan.FromHours(24);

    /// <summary>
    /// Reads an ORU^R01. With <paramref name="now"/> (the box clock), an OBX whose time is more than
    /// <see cref="MaxAhead"/> ahead of it or <see cref="MaxBehind"/> behind is skipped with its reason.
    /// </summary>
    public static OruContent Read(Hl7Message message, string deviceId, TimeZoneInfo localZone, DateTimeOffset? now = null)
    {
        var header = message.Header;
        if (!Hl7Timestamp.TryParse(header.Get(7), localZone, out var messageTime, out var problem))
        {
            throw new Hl7FormatException($"MSH-7: {problem}.", Hl7ErrorCode.DataTypeError, "MSH^7", header);
        }

        var samples = new List<Sample>();
        var skipped = new List<SkippedObservation>();
        var implausible = 0;
        DateTimeOffset? requestTime = null;
        var sawRequest = false;
        for (var i = 1; i < message.Segments.Count; i++)
        {
            var segment = message.Segments[i];
            if (segment.Id == "OBR")
            {
                sawRequest = true;
                requestTime = null;
                var obr7 = Guard(() => segment.Get(7), header);
                if (obr7.Length > 0)
                {
                    requestTime = Hl7Timestamp.TryParse(obr7, localZone, out var t, out problem) ? t
                        : throw new Hl7FormatException($"OBR-7 of segment {i + 1}: {problem}.", Hl7ErrorCode.DataTypeError, "OBR^7", header);
                }
            }
            else if (segment.Id == "OBX")
            {
                if (!sawRequest)
                {
                    throw new Hl7FormatException($"Segment {i + 1}: an OBX before any OBR.", Hl7ErrorCode.SegmentSequenceError, "OBX", header);
                }

                var outcome = ReadObservation(segment, deviceId, localZone, requestTime ?? messageTime, now);
                if (outcome.Skip is { } skip)
                {
                    skipped.Add(skip);
                }
                else
                {
                    samples.Add(outcome.Sample);
                    implausible += outcome.Implausible ? 1 : 0;
                }
            }
        }

        if (!sawRequest)
        {
            throw new Hl7FormatException("An ORU^R01 needs at least one OBR.", Hl7ErrorCode.SegmentSequenceError, "OBR", header);
        }

        return new OruContent(samples, skipped, implausible);
    }

    private static (Sample Sample, SkippedObservation? Skip, bool Implausible) ReadObservation(Hl7Segment obx, string deviceId, TimeZoneInfo localZone, DateTimeOffset fallbackTime, DateTimeOffset? now)
    {
        var setId = int.TryParse(obx.Raw(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var identifier = obx.Raw(3);
        (Sample, SkippedObservation?, bool) Skip(string reason) => (default, new SkippedObservation(setId, identifier, reason), false);
        try
        {
            if (!ObservationMap.TryMap(obx.Get(3, 1), obx.Get(3, 2), obx.Get(3, 3), out var stream))
            {
                return Skip("observation identifier not mapped to a stream");
            }

            if (obx.Get(2) != "NM")
            {
                return Skip($"value type '{obx.Get(2)}' is not NM");
            }

            var time = fallbackTime;
            var obx14 = obx.Get(14);
            if (obx14.Length > 0 && !Hl7Timestamp.TryParse(obx14, localZone, out time, out var timeProblem))
            {
                return Skip($"OBX-14: {timeProblem}");
            }

            if (now is { } clock && (time - clock > MaxAhead || clock - time > MaxBehind))
            {
                return Skip(string.Create(CultureInfo.InvariantCulture,
                    $"observation time {time:yyyy-MM-ddTHH:mm:ssK} is {(time > clock ? "ahead of" : "behind")} the box clock by {Math.Abs((time - clock).TotalMinutes):F0} min (allowed: {MaxAhead.TotalMinutes:F0} min ahead, {MaxBehind.TotalHours:F0} h behind); is the monitor's clock set?"));
            }

            var status = obx.Get(11);
            var valueText = obx.Get(5);
            if (!AcceptedStatuses.Contains(status) || valueText.Length == 0)
            {
                return (new Sample(deviceId, stream.Code, time, null), null, false);
            }

            if (!TryParseNumber(valueText, out var value))
            {
                return Skip($"value '{valueText}' is not an HL7 NM number");
            }

            if (!UnitConversion.TryConvert(stream.Code, obx.Get(6, 1), obx.Get(6, 2), value, out var converted, out var unitProblem))
            {
                return Skip(unitProblem!);
            }

            return stream.IsPlausible(converted)
                ? (new Sample(deviceId, stream.Code, time, converted), null, false)
                : (new Sample(deviceId, stream.Code, time, null), null, true);
        }
        catch (Hl7FormatException error)
        {
            return Skip(error.Message);
        }
    }

    /// <summary>HL7 NM: optional sign, digits, optional decimal point; no exponent, no thousands separator.</summary>
    private static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        var body = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
        var digits = body.Count(char.IsAsciiDigit);
        var points = body.Count(c => c == '.');
        return digits > 0 && points <= 1 && digits + points == body.Length
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private static string Guard(Func<string> read, Hl7Segment header)
    {
        try
        {
            return read();
        }
        catch (Hl7FormatException error)
        {
            throw new Hl7FormatException(error.Message, error.ErrorCode, error.Location, header);
        }
    }
}
