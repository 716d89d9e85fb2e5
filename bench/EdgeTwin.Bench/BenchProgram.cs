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

        if (args.Length > 0 && args[0] == "ingest-load")
        {
            return await Ingest.IngestLoad.RunAsync(args[1..]).ConfigureAwait(false);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
