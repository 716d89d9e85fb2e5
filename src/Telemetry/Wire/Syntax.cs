namespace EdgeTwin.Telemetry.Wire;

/// <summary>Shape checks for the identifiers of PROTOCOL §1 and §3.</summary>
internal static class Syntax
{
    public const string ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary><c>[a-z0-9-]{1,64}</c>: gateway and site names.</summary>
    public static bool IsName(ReadOnlySpan<char> s)
    {
        if (s.Length is < 1 or > 64)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsName(ReadOnlySpan<byte> s)
    {
        if (s.Length is < 1 or > 64)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(c is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Exactly <paramref name="length"/> lowercase hex digits.</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> s, int length)
    {
        if (s.Length != length)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsLowerHex(ReadOnlySpan<byte> s, int length)
    {
        if (s.Length != length)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>0x</c> + 40 hex digits of either case (EIP-55 mixes them).</summary>
    public static bool IsAddress(ReadOnlySpan<char> s)
    {
        if (s.Length != 42 || s[0] != '0' || s[1] != 'x')
        {
            return false;
        }

        foreach (var c in s[2..])
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The ETP timestamp shape <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, with field ranges checked.</summary>
    public static bool IsTimestamp(ReadOnlySpan<byte> s)
    {
        if (s.Length != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
        {
            return false;
        }

        ReadOnlySpan<int> digitAt = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
        foreach (var i in digitAt)
        {
            if (!char.IsAsciiDigit((char)s[i]))
            {
                return false;
            }
        }

        static int Two(ReadOnlySpan<byte> s, int at) => ((s[at] - '0') * 10) + (s[at + 1] - '0');
        var month = Two(s, 5);
        var day = Two(s, 8);
        return month is >= 1 and <= 12 && day is >= 1 and <= 31 && Two(s, 11) <= 23 && Two(s, 14) <= 59 && Two(s, 17) <= 59;
    }
}
