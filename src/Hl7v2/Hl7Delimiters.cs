namespace EdgeTwin.Hl7v2;

using System.Text;

/// <summary>
/// The five delimiters a message declares in MSH-1 and MSH-2 (<c>|^~\&amp;</c> by default), and the
/// escape sequences built from them (<c>\F\ \S\ \T\ \R\ \E\</c>).
/// </summary>
public sealed record Hl7Delimiters(char Field, char Component, char Repetition, char Escape, char Subcomponent)
{
    public static Hl7Delimiters Default { get; } = new('|', '^', '~', '\\', '&');

    /// <summary>MSH-2 as it goes on the wire.</summary>
    public string EncodingCharacters => string.Concat(Component, Repetition, Escape, Subcomponent);

    /// <summary>
    /// Reads MSH-1 and MSH-2 from the start of a message. Every delimiter must be a distinct printable
    /// non-alphanumeric character; a fifth MSH-2 character (the v2.7 truncation character) is allowed and ignored.
    /// </summary>
    public static Hl7Delimiters FromHeader(string message)
    {
        if (message.Length < 8 || !message.StartsWith("MSH", StringComparison.Ordinal))
        {
            throw new Hl7FormatException("The message does not start with an MSH segment.", Hl7ErrorCode.SegmentSequenceError, "MSH");
        }

        var field = message[3];
        var end = message.IndexOf(field, 4);
        var encoding = end < 0 ? "" : message[4..end];
        if (encoding.Length is not (4 or 5))
        {
            throw new Hl7FormatException($"MSH-2 must hold 4 encoding characters; found '{encoding}'.", Hl7ErrorCode.DataTypeError, "MSH^2");
        }

        var all = field + encoding;
        if (all.Any(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || char.IsControl(c)) || all.Distinct().Count() != all.Length)
        {
            throw new Hl7FormatException($"MSH-1/MSH-2 delimiters '{all}' must be distinct, printable and not letters or digits.", Hl7ErrorCode.DataTypeError, "MSH^2");
        }

        return new Hl7Delimiters(field, encoding[0], encoding[1], encoding[2], encoding[3]);
    }

    /// <summary>
    /// Resolves escape sequences in one field component. \H\ and \N\ (highlighting) are dropped;
    /// any other sequence (\Xhh\, \.br\ ...) or an unterminated one is an error, not guessed at.
    /// </summary>
    public string Unescape(string text)
    {
        var start = text.IndexOf(Escape, StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        result.Append(text, 0, start);
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != Escape)
            {
                result.Append(c);
                i++;
                continue;
            }

            var close = text.IndexOf(Escape, i + 1);
            if (close < 0)
            {
                throw new Hl7FormatException($"Unterminated escape sequence in '{text}'.", Hl7ErrorCode.DataTypeError);
            }

            var name = text[(i + 1)..close];
            switch (name)
            {
                case "F": result.Append(Field); break;
                case "S": result.Append(Component); break;
                case "T": result.Append(Subcomponent); break;
                case "R": result.Append(Repetition); break;
                case "E": result.Append(Escape); break;
                case "H" or "N": break;
                default: throw new Hl7FormatException($"Unsupported escape sequence '{Escape}{name}{Escape}' in '{text}'.", Hl7ErrorCode.DataTypeError);
            }

            i = close + 1;
        }

        return result.ToString();
    }

    /// <summary>Escapes free text (an error message) so it can go into a field of a message using these delimiters.</summary>
    public string EscapeText(string text)
    {
        var result = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            var name = c == Field ? "F" : c == Component ? "S" : c == Subcomponent ? "T" : c == Repetition ? "R" : c == Escape ? "E" : null;
            if (name is not null)
            {
                result.Append(Escape).Append(name).Append(Escape);
            }
            else
            {
                // Segment terminators and other control characters would break the ACK's framing.
                result.Append(char.IsControl(c) ? ' ' : c);
            }
        }

        return result.ToString();
    }
}
