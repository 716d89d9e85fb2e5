namespace EdgeTwin.Bench;

internal static class BenchProgram
{
    public static int Main(string[] args)
    {
        if (args is ["telemetry-scale"])
        {
            return Telemetry.TelemetryScaleCheck.Run(Console.Out);
        }

        if (args is [("gateway-steady" or "gateway-backlog") and var mode, ..])
        {
            int Arg(string name, int fallback) =>
                Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
            return Gateway.GatewayLoadRun.Run(mode, Arg("--beds", 16), Arg("--seconds", 20), Arg("--backlog", 100_000), Console.Out);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
