namespace EdgeTwin.Hl7v2;

/// <summary>
/// A parsed HL7 v2 message: the MSH and the segments after it, in order. Segments end with CR
/// (the standard); LF and CR LF are tolerated because test tools and some interface engines send
/// them. Anything that does not split into well-formed segments is refused with <see cref="Hl7FormatException"/>.
/// </summary>
public sealed class Hl7Message
{
    private Hl7Message(Hl7Segment header, IReadOnlyList<Hl7Segment> segments)
    {
        Header = header;
        Segments = segments;
    }

    public Hl7Segment Header { get; }

    /// <summary>Every segment including the MSH.</summary>
    public IReadOnlyList<Hl7Segment> Segments { get; }

    public Hl7Delimiters Delimiters => Header.Delimiters;

    /// <summary>MSH-10, as sent (still escaped), for the ACK to echo byte for byte.</summary>
    public string ControlId => Header.Raw(10);

    public static Hl7Message Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var delimiters = Hl7Delimiters.FromHeader(text);
        var lines = text.Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r').Split('\r');
        var count = lines.Length;
        while (count > 0 && lines[count - 1].Length == 0)
        {
            count--;
        }

        var header = new Hl7Segment(lines[0], delimiters);
        var segments = new List<Hl7Segment>(count) { header };
        for (var i = 1; i < count; i++)
        {
            if (lines[i].Length == 0)
            {
                throw new Hl7FormatException($"Segment {i + 1} is empty.", Hl7ErrorCode.SegmentSequenceError, header: header);
            }

            try
            {
                var segment = new Hl7Segment(lines[i], delimiters);
                if (segment.Id == "MSH")
                {
                    throw new Hl7FormatException($"Segment {i + 1} is a second MSH (batches are not accepted).", Hl7ErrorCode.SegmentSequenceError, "MSH");
                }

                segments.Add(segment);
            }
            catch (Hl7FormatException error) when (error.Header is null)
            {
                throw new Hl7FormatException($"Segment {i + 1}: {error.Message}", error.ErrorCode, error.Location, header);
            }
        }

        return new Hl7Message(header, segments);
    }
}
