namespace EdgeTwin.Telemetry.Verification;

using System.Buffers.Binary;

/// <summary>A SHA-256 value held as four words: compact in the window and cheap to compare.</summary>
internal readonly record struct Hash32(ulong A, ulong B, ulong C, ulong D)
{
    public static Hash32 Zero => default;

    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    /// <summary>Parses exactly 64 lowercase hex digits (UTF-8); anything else fails.</summary>
    public static bool TryParse(ReadOnlySpan<byte> hex, out Hash32 hash)
    {
        hash = default;
        if (hex.Length != 64)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[32];
        for (var i = 0; i < 32; i++)
        {
            var hi = Nibble(hex[2 * i]);
            var lo = Nibble(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            bytes[i] = (byte)((hi << 4) | lo);
        }

        hash = FromBytes(bytes);
        return true;
    }

    public static bool TryParse(string? hex, out Hash32 hash)
    {
        hash = default;
        return hex is not null && hex.Length == 64 && System.Text.Ascii.IsValid(hex)
            && TryParse(System.Text.Encoding.ASCII.GetBytes(hex), out hash);
    }

    public void WriteTo(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
