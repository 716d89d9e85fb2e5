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
        // The runtime's vectorised decoder takes either case; the protocol's hashes are lowercase only.
        Span<byte> bytes = stackalloc byte[32];
        hash = default;
        if (hex.Length != 64 || hex.IndexOfAnyInRange((byte)'A', (byte)'F') >= 0
            || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        hash = FromBytes(bytes);
        return true;
    }

    /// <summary>Parses exactly 64 lowercase hex digits; anything else fails.</summary>
    public static bool TryParse(string? hex, out Hash32 hash)
    {
        Span<byte> utf8 = stackalloc byte[64];
        hash = default;
        return hex is { Length: 64 } && System.Text.Ascii.FromUtf16(hex, utf8, out _) == System.Buffers.OperationStatus.Done && TryParse(utf8, out hash);
    }

    public void WriteTo(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
    }

    /// <summary>The 32 bytes, in a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[32];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
