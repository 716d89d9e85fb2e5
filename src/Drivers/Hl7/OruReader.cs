namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Hl7v2;

/// <summary>
/// Turns the observations of an ORU^R01 into samples. The message structure must hold (an OBR
/// before any OBX, a readable MSH-7) or the whole message is refused; a single OBX that cannot be
/// used (unknown code, not numeric, bad time, wrong unit, a second channel of a stream) is skipped
/// with its reason while the others still count. A result status other than F, R or C, an empty
/// value, or a value outside the stream's plausible range gives an invalid (null) sample, which is
/// kept. Rows of the device hierarchy are counted, not skipped: they describe, they do not measure.
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

        var candidates = new List<ObservationCandidate>();
        var skipped = new List<SkippedObservation>();
        var disagreements = new List<ReferenceIdDisagreement>();
        var descriptionRows = 0;
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
                else if (outcome.Candidate is { } candidate)
                {
                    candidates.Add(candidate);
                    if (outcome.Disagreement is { } disagreement)
                    {
                        disagreements.Add(disagreement);
                    }
                }
                else
                {
                    descriptionRows++;
                }
            }
        }

        if (!sawRequest)
        {
            throw new Hl7FormatException("An ORU^R01 needs at least one OBR.", Hl7ErrorCode.SegmentSequenceError, "OBR", header);
        }

        var kept = Channels.KeepPrimary(candidates, skipped);
        return new OruContent([.. kept.Select(c => c.Sample)], skipped, kept.Count(c => c.Implausible), descriptionRows, disagreements);
    }

    private static ObservationOutcome ReadObservation(Hl7Segment obx, string deviceId, TimeZoneInfo localZone, DateTimeOffset fallbackTime, DateTimeOffset? now)
    {
        var setId = int.TryParse(obx.Raw(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var identifier = obx.Raw(3);
        ObservationOutcome Skip(string reason) => new(null, new SkippedObservation(setId, identifier, reason), null);
        try
        {
            var match = ObservationMap.Match(obx.Get(3, 1), obx.Get(3, 2), obx.Get(3, 3));
            if (match.IsDescription)
            {
                return new ObservationOutcome(null, null, null);
            }

            if (match.Stream is not { } stream)
            {
                return Skip(match.Problem!);
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
            var subId = obx.Get(4);
            var codeDisagreement = match.DisagreeingCodeReferenceId is { } codeName
                ? new ReferenceIdDisagreement(setId, identifier, $"OBX-3 code {obx.Get(3, 1)} is {codeName}, OBX-3.2 says {obx.Get(3, 2)}: taken as {codeName}")
                : null;
            if (!AcceptedStatuses.Contains(status) || valueText.Length == 0)
            {
                return new ObservationOutcome(new ObservationCandidate(setId, identifier, subId, new Sample(deviceId, stream.Code, time, null), false), null, codeDisagreement);
            }

            if (!TryParseNumber(valueText, out var value))
            {
                return Skip($"value '{valueText}' is not an HL7 NM number");
            }

            if (!UnitConversion.TryConvert(stream, obx.Get(6, 1), obx.Get(6, 2), value, out var converted, out var unitProblem, out var unitDisagrees))
            {
                return Skip(unitProblem!);
            }

            var disagreement = codeDisagreement ?? (unitDisagrees
                ? new ReferenceIdDisagreement(setId, identifier, $"OBX-6 unit code {obx.Get(6, 1)} taken over the unknown reference id {obx.Get(6, 2)}")
                : null);
            var plausible = stream.IsPlausible(converted);
            return new ObservationOutcome(new ObservationCandidate(setId, identifier, subId, new Sample(deviceId, stream.Code, time, plausible ? converted : null), !plausible), null, disagreement);
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

    /// <summary>One OBX: a candidate sample, a skip with its reason, or neither (a row of the device hierarchy).</summary>
    private sealed record ObservationOutcome(ObservationCandidate? Candidate, SkippedObservation? Skip, ReferenceIdDisagreement? Disagreement);
}
