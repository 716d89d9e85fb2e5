namespace EdgeTwin.Telemetry.Wire;

using System.Globalization;

/// <summary>
/// Writes numbers exactly as ECMAScript's <c>Number.prototype.toString</c> does (shortest digits that
/// round-trip, plain notation from 1e-6 up to 1e21, <c>1e+21</c>/<c>1e-7</c> style beyond), so a
/// JavaScript producer and ours print the same value the same way and docs/protocol.md has one rule.
/// </summary>
internal static class EtpNumber
{
    /// <summary>Longest output: sign, 17 digits, point, 'e', sign, 3 exponent digits, plus slack.</summary>
    public const int MaxLength = 32;

    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity; write null instead");
        }

        if (value == 0)
        {
            destination[0] = (byte)'0';
            return 1; // -0 prints as 0, as in JavaScript
        }

        // Integers below 2^53 are the common case (counts, mmHg, bpm): print them directly.
        if (Math.Abs(value) < 9_007_199_254_740_992d && value == Math.Floor(value))
        {
            ((long)value).TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        Span<char> shortest = stackalloc char[MaxLength];
        value.TryFormat(shortest, out var length, "R", CultureInfo.InvariantCulture);
        return FromRoundTrip(shortest[..length], destination);
    }

    private static int FromRoundTrip(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var pos = 0;
        if (text[0] == '-')
        {
            destination[pos++] = (byte)'-';
            text = text[1..];
        }

        var exponentAt = text.IndexOfAny('E', 'e');
        var exponent = 0;
        var mantissa = text;
        if (exponentAt >= 0)
        {
            exponent = int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..exponentAt];
        }

        // Gather the significant digits and n, the position of the decimal point relative to them.
        Span<byte> digits = stackalloc byte[MaxLength];
        var k = 0;
        var pointAt = mantissa.IndexOf('.');
        var integerDigits = pointAt >= 0 ? pointAt : mantissa.Length;
        var n = integerDigits + exponent;
        foreach (var c in mantissa)
        {
            if (c == '.')
            {
                continue;
            }

            if (k == 0 && c == '0')
            {
                n--; // leading zero
                continue;
            }

            digits[k++] = (byte)c;
        }

        while (k > 1 && digits[k - 1] == '0')
        {
            k--;
        }

        if (k <= n && n <= 21)
        {
            digits[..k].CopyTo(destination[pos..]);
            pos += k;
            destination.Slice(pos, n - k).Fill((byte)'0');
            return pos + n - k;
        }

        if (n > 0 && n <= 21)
        {
            digits[..n].CopyTo(destination[pos..]);
            pos += n;
            destination[pos++] = (byte)'.';
            digits[n..k].CopyTo(destination[pos..]);
            return pos + k - n;
        }

        if (n > -6 && n <= 0)
        {
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            destination.Slice(pos, -n).Fill((byte)'0');
            pos += -n;
            digits[..k].CopyTo(destination[pos..]);
            return pos + k;
        }

        destination[pos++] = digits[0];
        if (k > 1)
        {
            destination[pos++] = (byte)'.';
            digits[1..k].CopyTo(destination[pos..]);
            pos += k - 1;
        }

        var e = n - 1;
        destination[pos++] = (byte)'e';
        destination[pos++] = e < 0 ? (byte)'-' : (byte)'+';
        Math.Abs(e).TryFormat(destination[pos..], out var ew, default, CultureInfo.InvariantCulture);
        return pos + ew;
    }
}
