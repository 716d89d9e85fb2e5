namespace EdgeTwin.Bench.Gateway;

using System.Globalization;

/// <summary>
/// <c>--memory-limit</c> of <c>gateway-footprint</c>: one size or a comma-separated list, each a whole
/// number of bytes with an optional binary suffix (<c>K</c>, <c>M</c>, <c>G</c>, also written <c>KiB</c>,
/// <c>MiB</c>, <c>GiB</c>), as cgroup v1's <c>memory.limit_in_bytes</c> and systemd's <c>MemoryMax=</c>
/// read them: <c>80M</c> is 80 MiB, 83,886,080 bytes.
/// </summary>
internal static class MemoryLimit
{
    /// <summary>Below this no .NET process starts; a smaller limit is a typing error, not a measurement.</summary>
    public const long Smallest = 16L << 20;

    public static IReadOnlyList<long> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var limits = new List<long>();
        foreach (var item in text.Split(','))
        {
            var limit = Parse(item);
            if (limits.Contains(limit))
            {
                throw new FormatException($"--memory-limit: '{item.Trim()}' is given twice");
            }

            limits.Add(limit);
        }

        return limits;
    }

    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            throw new FormatException($"--memory-limit: '{text}' is not a size (a whole number with an optional K, M or G, e.g. 80M)");
        }

        var shift = trimmed[digits..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KIB" => 10,
            "M" or "MIB" => 20,
            "G" or "GIB" => 30,
            var suffix => throw new FormatException($"--memory-limit: '{text}': unknown unit '{suffix}' (K, M or G, binary: 80M is 80 MiB)"),
        };

        if (!long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > long.MaxValue >> shift)
        {
            throw new FormatException($"--memory-limit: '{text}' is too large");
        }

        var bytes = number << shift;
        return bytes < Smallest
            ? throw new FormatException($"--memory-limit: '{text}' is below {Smallest >> 20} MiB, too little for any .NET process")
            : bytes;
    }

    /// <summary>The limit as it is printed: <c>80M</c> when it is a whole number of MiB, else bytes.</summary>
    public static string Format(long bytes) =>
        bytes % (1L << 20) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20}M") : bytes.ToString(CultureInfo.InvariantCulture);
}
