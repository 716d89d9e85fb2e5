namespace EdgeTwin.Bench.Gateway;

using System.Globalization;

/// <summary>The arguments of <c>gateway-footprint</c>, checked before anything is started.</summary>
internal sealed record FootprintOptions(int Beds, int Seconds, int WindowFrom, string? Exe, IReadOnlyList<long> Limits, int Repeat)
{
    public const string Usage =
        "gateway-footprint [--beds 16] [--seconds 30] [--window-from 10] [--exe PATH] [--memory-limit 80M[,64M,...]] [--repeat 1]";

    /// <summary>Parses the arguments after <c>gateway-footprint</c>; a <see cref="FormatException"/> names the bad one.</summary>
    public static FootprintOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is not ("--beds" or "--seconds" or "--window-from" or "--exe" or "--memory-limit" or "--repeat"))
            {
                throw new FormatException($"gateway-footprint: unknown argument '{args[i]}'");
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new FormatException($"gateway-footprint: {args[i]} needs a value");
            }

            if (!values.TryAdd(args[i], args[++i]))
            {
                throw new FormatException($"gateway-footprint: {args[i - 1]} is given twice");
            }
        }

        var options = new FootprintOptions(
            Number(values, "--beds", 16),
            Number(values, "--seconds", 30),
            Number(values, "--window-from", 10),
            values.GetValueOrDefault("--exe"),
            values.TryGetValue("--memory-limit", out var limits) ? MemoryLimit.ParseList(limits) : [],
            Number(values, "--repeat", 1));
        return options.WindowFrom >= options.Seconds
            ? throw new FormatException($"gateway-footprint: --window-from {options.WindowFrom} must be before --seconds {options.Seconds}")
            : options;
    }

    private static int Number(Dictionary<string, string> values, string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"gateway-footprint: {name} '{text}' is not a whole number above 0");
    }
}
