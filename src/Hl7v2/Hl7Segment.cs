namespace EdgeTwin.Hl7v2;

/// <summary>
/// One segment, split into its raw (still escaped) fields. Numbering follows the standard: for MSH,
/// field 1 is the field separator itself and field 2 the encoding characters.
/// </summary>
public sealed class Hl7Segment
{
    private readonly string[] _parts;

    public Hl7Segment(string text, Hl7Delimiters delimiters)
    {
        // MLLP block characters cannot be in a framed message; refusing them here keeps them out of the ACK that echoes MSH fields.
        if (text.AsSpan().IndexOfAny('\x0B', '\x1C') >= 0)
        {
            throw new Hl7FormatException($"'{Shorten(text)}' contains an MLLP block character (0x0B or 0x1C).", Hl7ErrorCode.DataTypeError);
        }

        Text = text;
        Delimiters = delimiters;
        _parts = text.Split(delimiters.Field);
        Id = _parts[0];
        if (Id.Length != 3 || !Id.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9')) || !char.IsLetter(Id[0]))
        {
            throw new Hl7FormatException($"'{Shorten(text)}' is not a segment (a segment starts with a 3-character id such as OBX).", Hl7ErrorCode.SegmentSequenceError);
        }
    }

    public string Id { get; }

    public string Text { get; }

    public Hl7Delimiters Delimiters { get; }

    private bool IsHeader => Id == "MSH";

    /// <summary>Field <paramref name="number"/> as sent (escaped); empty when absent.</summary>
    public string Raw(int number)
    {
        if (IsHeader && number == 1)
        {
            return Delimiters.Field.ToString();
        }

        var index = IsHeader ? number - 1 : number;
        return index >= 1 && index < _parts.Length ? _parts[index] : "";
    }

    /// <summary>
    /// Component <paramref name="component"/> (1-based) of the first repetition of a field, first
    /// subcomponent, unescaped; empty when absent.
    /// </summary>
    public string Get(int number, int component = 1)
    {
        var raw = Raw(number);
        if (IsHeader && number == 2)
        {
            return raw;
        }

        var repetition = raw.Split(Delimiters.Repetition)[0];
        var components = repetition.Split(Delimiters.Component);
        if (component > components.Length)
        {
            return "";
        }

        var sub = components[component - 1].Split(Delimiters.Subcomponent)[0];
        try
        {
            return Delimiters.Unescape(sub);
        }
        catch (Hl7FormatException error)
        {
            throw new Hl7FormatException(error.Message, Hl7ErrorCode.DataTypeError, $"{Id}^{number}");
        }
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "...";
}
