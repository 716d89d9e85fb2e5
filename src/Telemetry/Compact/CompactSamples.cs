namespace EdgeTwin.Telemetry.Compact;

using System.Buffers;

/// <summary>
/// The sample string <c>d</c> of a compact stream (docs/protocol.md §4, "Compact observations"): per
/// sample one token, an unsigned LEB128 varint; 0 is an invalid sample (null), otherwise
/// <c>1 + zigzag(k - previous k)</c> with the previous k starting at 0 (so the first token carries
/// the first value); the bytes in base64url (RFC 4648 §5) without padding. Pure; one place for both
/// directions.
/// </summary>
public static class CompactSamples
{
    /// <summary>Longest token: |k| &lt;= 2^53-1 makes deltas &lt; 2^54, zigzag &lt; 2^55, tokens fit 8 groups of 7 bits.</summary>
    public const int MaxVarintBytes = 8;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static readonly sbyte[] Sextets = BuildSextets();

    /// <summary>
    /// Encodes <paramref name="values"/> (null or non-finite: an invalid sample). Throws
    /// <see cref="ArgumentException"/> when a value is beyond 2^53-1 steps of <paramref name="q"/>.
    /// </summary>
    public static string Encode(IReadOnlyList<double?> values, Quantum q)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(q);
        var bytes = new ArrayBufferWriter<byte>(values.Count + 16);
        long previous = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } x || !double.IsFinite(x))
            {
                WriteVarint(bytes, 0);
                continue;
            }

            if (!q.TryEncode(x, out var k))
            {
                throw new ArgumentException($"sample {i} ({x}) is more than 2^53-1 steps of {q.Text}", nameof(values));
            }

            WriteVarint(bytes, 1 + ZigZag(k - previous));
            previous = k;
        }

        return ToBase64Url(bytes.WrittenSpan);
    }

    /// <summary>
    /// Decodes exactly <paramref name="count"/> samples into <paramref name="into"/>; on failure returns
    /// the problem (<c>base64</c>, <c>varint</c>, <c>range</c>, <c>count</c>) and adds nothing.
    /// </summary>
    public static string? TryDecode(ReadOnlySpan<byte> d, int count, Quantum q, List<double?> into)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(into);
        var raw = ArrayPool<byte>.Shared.Rent((d.Length * 3 / 4) + 3);
        try
        {
            if (!TryFromBase64Url(d, raw, out var length))
            {
                return CompactProblems.Base64;
            }

            var start = into.Count;
            var problem = Tokens(raw.AsSpan(0, length), count, q, into);
            if (problem is not null)
            {
                into.RemoveRange(start, into.Count - start);
            }

            return problem;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static string? Tokens(ReadOnlySpan<byte> bytes, int count, Quantum q, List<double?> into)
    {
        long previous = 0;
        var read = 0;
        var at = 0;
        while (at < bytes.Length)
        {
            if (!TryReadVarint(bytes, ref at, out var token))
            {
                return CompactProblems.Varint;
            }

            if (++read > count)
            {
                return CompactProblems.Count;
            }

            if (token == 0)
            {
                into.Add(null);
                continue;
            }

            // token - 1 < 2^56, so its zigzag decodes within ±2^55 and the sum cannot overflow.
            var k = previous + UnZigZag(token - 1);
            if (Math.Abs(k) > Quantum.MaxInteger)
            {
                return CompactProblems.Range;
            }

            into.Add(q.Decode(k));
            previous = k;
        }

        return read == count ? null : CompactProblems.Count;
    }

    private static void WriteVarint(ArrayBufferWriter<byte> into, ulong value)
    {
        var span = into.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        into.Advance(n);
    }

    /// <summary>At most <see cref="MaxVarintBytes"/> bytes, not cut short, and in its shortest form (no final 0x00 group).</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (var i = 0; i < MaxVarintBytes && at < bytes.Length; i++)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return i == 0 || b != 0;
            }
        }

        return false;
    }

    private static string ToBase64Url(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[((bytes.Length * 4) + 2) / 3];
        var o = 0;
        var i = 0;
        for (; i + 2 < bytes.Length; i += 3)
        {
            var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
            chars[o++] = Alphabet[n >> 18];
            chars[o++] = Alphabet[(n >> 12) & 63];
            chars[o++] = Alphabet[(n >> 6) & 63];
            chars[o++] = Alphabet[n & 63];
        }

        if (bytes.Length - i == 2)
        {
            var n = (bytes[i] << 16) | (bytes[i + 1] << 8);
            chars[o++] = Alphabet[n >> 18];
            chars[o++] = Alphabet[(n >> 12) & 63];
            chars[o++] = Alphabet[(n >> 6) & 63];
        }
        else if (bytes.Length - i == 1)
        {
            var n = bytes[i] << 16;
            chars[o++] = Alphabet[n >> 18];
            chars[o++] = Alphabet[(n >> 12) & 63];
        }

        return new string(chars, 0, o);
    }

    /// <summary>Strict base64url: alphabet only (no padding, no whitespace), length mod 4 not 1, unused trailing bits zero.</summary>
    private static bool TryFromBase64Url(ReadOnlySpan<byte> text, Span<byte> into, out int length)
    {
        length = 0;
        if (text.Length % 4 == 1)
        {
            return false;
        }

        var acc = 0;
        var bits = 0;
        foreach (var c in text)
        {
            var s = c < 128 ? Sextets[c] : -1;
            if (s < 0)
            {
                return false;
            }

            acc = (acc << 6) | s;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                into[length++] = (byte)(acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }

        return acc == 0;
    }

    private static sbyte[] BuildSextets()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (sbyte)i;
        }

        return table;
    }
}
