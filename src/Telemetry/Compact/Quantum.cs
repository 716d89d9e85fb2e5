namespace EdgeTwin.Telemetry.Compact;

using System.Globalization;
using System.Numerics;

/// <summary>
/// The step of a compact stream (docs/protocol.md §4, "Compact observations"): a sample is the
/// integer <c>k</c> times <c>q</c>. <c>q = Mantissa × 10^-Scale</c>, written in plain decimal
/// notation, at most 9 integer and 6 fraction digits, greater than zero.
/// </summary>
public sealed class Quantum : IEquatable<Quantum>
{
    /// <summary>Largest |k|: 2^53 - 1, so a JavaScript reader holds every integer exactly.</summary>
    public const long MaxInteger = (1L << 53) - 1;

    public const int MaxScale = 6;

    private const int MaxIntegerDigits = 9;

    private static readonly double[] PowersOfTen = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
    private readonly double _value;

    private Quantum(long mantissa, int scale, string text)
    {
        Mantissa = mantissa;
        Scale = scale;
        Text = text;
        _value = mantissa / PowersOfTen[scale];
    }

    public long Mantissa { get; }

    public int Scale { get; }

    /// <summary>The wire form: the number as §3's number rule writes it (plain decimal here).</summary>
    public string Text { get; }

    public double Value => _value;

    /// <summary>Reads the wire form; false for a sign, an exponent, zero, or more digits than allowed.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Quantum? quantum)
    {
        quantum = null;
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? [] : text[(dot + 1)..];
        if (whole.Length is 0 or > MaxIntegerDigits || (whole.Length > 1 && whole[0] == '0')
            || (dot >= 0 && fraction.Length is 0 or > MaxScale)
            || !AllDigits(whole) || !AllDigits(fraction))
        {
            return false;
        }

        var mantissa = long.Parse(string.Concat(whole, fraction), NumberStyles.None, CultureInfo.InvariantCulture);
        if (mantissa == 0)
        {
            return false;
        }

        // Canonical text: §3's number form drops trailing fraction zeros ("0.010" is written 0.01).
        var scale = fraction.Length;
        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        quantum = new Quantum(mantissa, scale, Format(mantissa, scale));
        return true;
    }

    public static Quantum Parse(string text) =>
        TryParse(text, out var q) ? q : throw new ArgumentException($"'{text}' is not a quantum (a plain decimal > 0, at most {MaxIntegerDigits} integer and {MaxScale} fraction digits)", nameof(text));

    /// <summary>
    /// The integer of <paramref name="value"/>: the decimal §3 writes for it divided by q exactly,
    /// rounded half away from zero. False when it is not finite or |k| would pass <see cref="MaxInteger"/>.
    /// </summary>
    public bool TryEncode(double value, out long k)
    {
        k = 0;
        if (!double.IsFinite(value))
        {
            return false;
        }

        var r = value / _value;
        if (Math.Abs(r) < 1 << 30)
        {
            // Far from a tie the binary quotient (a few ulps off the exact one) rounds the same way.
            var f = r - Math.Floor(r);
            if (Math.Abs(f - 0.5) > 1e-5)
            {
                k = (long)Math.Round(r, MidpointRounding.AwayFromZero);
                return true;
            }
        }
        else if (Math.Abs(r) > 2.0 * MaxInteger)
        {
            return false;
        }

        return TryEncodeExactly(value, out k);
    }

    /// <summary>k × q as the binary64 nearest to the exact decimal product.</summary>
    public double Decode(long k)
    {
        var product = (Int128)k * Mantissa;
        if (Int128.Abs(product) <= MaxInteger)
        {
            // Both operands are exact doubles, so one IEEE division rounds the exact quotient once.
            return (double)(long)product / PowersOfTen[Scale];
        }

        return double.Parse(product.ToString(CultureInfo.InvariantCulture) + "E-" + Scale.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public bool Equals(Quantum? other) => other is not null && other.Mantissa == Mantissa && other.Scale == Scale;

    public override bool Equals(object? obj) => Equals(obj as Quantum);

    public override int GetHashCode() => HashCode.Combine(Mantissa, Scale);

    public override string ToString() => Text;

    private bool TryEncodeExactly(double value, out long k)
    {
        k = 0;

        // The shortest round-trip digits are the decimal §3 writes: digits × 10^exponent.
        var (digits, exponent) = Decompose(value.ToString("R", CultureInfo.InvariantCulture));

        // |x / q| = digits × 10^(exponent + scale) / mantissa; round half away from zero exactly.
        var shift = exponent + Scale;
        BigInteger numerator = BigInteger.Abs(digits), denominator = Mantissa;
        if (shift >= 0)
        {
            numerator *= BigInteger.Pow(10, shift);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -shift);
        }

        var magnitude = ((2 * numerator) + denominator) / (2 * denominator);
        if (magnitude > MaxInteger)
        {
            return false;
        }

        k = digits.Sign < 0 ? -(long)magnitude : (long)magnitude;
        return true;
    }

    /// <summary>"-1.25E-07" or "37.125" into (digits, exponent) with value = digits × 10^exponent.</summary>
    private static (BigInteger Digits, int Exponent) Decompose(string text)
    {
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? text : text[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            exponent -= mantissa.Length - dot - 1;
            mantissa = mantissa.Remove(dot, 1);
        }

        return (BigInteger.Parse(mantissa, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), exponent);
    }

    private static string Format(long mantissa, int scale)
    {
        var digits = mantissa.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        return scale == 0 ? digits : $"{digits[..^scale]}.{digits[^scale..]}";
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
