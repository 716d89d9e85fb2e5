namespace EdgeTwin.Bench;

internal static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Load runners first; everything else is BenchmarkDotNet.
        if (args is ["telemetry-scale"])
        {
            return Telemetry.TelemetryScaleCheck.Run(Console.Out);
        }

        if (args is [("gateway-steady" or "gateway-backlog") and var mode, ..])
        {
            return Gateway.GatewayLoadRun.Run(mode, Arg(args, "--beds", 16), Arg(args, "--seconds", 20), Arg(args, "--backlog", 100_000), Console.Out);
        }

        if (args is ["gateway-footprint", .. var footprint])
        {
            return Parsed(() => Gateway.FootprintOptions.Parse(footprint), Gateway.FootprintOptions.Usage) is { } options
                ? Gateway.FootprintRun.Run(options, Console.Out)
                : 2;
        }

        if (args is ["gc-limit-probe"])
        {
            return Gateway.FootprintRun.Probe(Console.Out);
        }

        if (args is ["gateway-receipted", ..])
        {
            return await Gateway.ReceiptedRun.RunAsync(Arg(args, "--beds", 16), Arg(args, "--seconds", 600), Console.Out).ConfigureAwait(false);
        }

        if (args is ["whole-system-scale", ..])
        {
            return await WholeSystem.WholeSystemScaleRun.RunAsync(
                Steps(args, "--beds", "16,64,128,256,500"), Value(args, "--alone-beds") is null ? [] : Steps(args, "--alone-beds", string.Empty), Arg(args, "--seconds", 30), Ints(args, "--peer-beds", [16, 64, 128]),
                Arg(args, "--fault-beds", 64), Arg(args, "--fault-seconds", 10), Console.Out).ConfigureAwait(false);
        }

        if (args is ["wire-bytes", ..])
        {
            return Wire.WireBytesRun.Run(Arg(args, "--beds", 4), Arg(args, "--seconds", 600), args.Contains("--compression"), Console.Out);
        }

        if (args is ["alarm-latency", ..])
        {
            return Gateway.AlarmLatencyRun.Run(Arg(args, "--beds", 16), Arg(args, "--backlog", 100_000), Arg(args, "--idle-seconds", 10), Console.Out);
        }

        if (args is ["alarm-out-latency", ..])
        {
            return await Ingest.AlarmOutLatencyRun.RunAsync(Arg(args, "--beds", 4), Arg(args, "--rounds", 40), Console.Out).ConfigureAwait(false);
        }

        if (args is ["desired-latency", ..])
        {
            return Gateway.DesiredLatencyRun.Run(Arg(args, "--beds", 16), Arg(args, "--rounds", 50), Console.Out);
        }

        if (args is ["inference-latency", .. var rest])
        {
            Inference.InferenceLatency.Run(rest);
            return 0;
        }

        if (args is ["ingest-latency", .. var latency])
        {
            return Parsed(() => Ingest.IngestLatencyOptions.Parse(latency), Ingest.IngestLatencyOptions.Usage) is { } options
                ? await Ingest.IngestLatencyRun.RunAsync(options, Console.Out).ConfigureAwait(false)
                : 2;
        }

        if (args.Length > 0 && args[0] == "ingest-load")
        {
            return await Ingest.IngestLoad.RunAsync(args[1..]).ConfigureAwait(false);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }

    /// <summary>A runner's parsed arguments; null, with the reason and the usage on stderr, when they are bad (nothing is started).</summary>
    private static T? Parsed<T>(Func<T> parse, string usage)
        where T : class
    {
        try
        {
            return parse();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(usage);
            return null;
        }
    }

    /// <summary>Bed counts, each optionally with the gateway's <c>Uplink:MaxInFlight</c> after a slash (<c>500/512</c>).</summary>
    private static (int Beds, int? InFlight)[] Steps(string[] args, string name, string fallback) =>
        [.. (Value(args, name) ?? fallback).Split(',').Select(step => step.Split('/') switch
        {
            [var beds] => (int.Parse(beds, System.Globalization.CultureInfo.InvariantCulture), (int?)null),
            [var beds, var inFlight] => (int.Parse(beds, System.Globalization.CultureInfo.InvariantCulture), int.Parse(inFlight, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new FormatException($"{name}: '{step}' is not BEDS or BEDS/MAXINFLIGHT"),
        })];

    private static int[] Ints(string[] args, string name, int[] fallback) =>
        Value(args, name) is { } list ? [.. list.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))] : fallback;

    private static int Arg(string[] args, string name, int fallback) =>
        Value(args, name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>The argument after <paramref name="name"/>; null when it is not given.</summary>
    internal static string? Value(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
