namespace EdgeTwin.Bench;

internal static class BenchProgram
{
    public static int Main(string[] args)
    {
        if (args is ["telemetry-scale"])
        {
            return Telemetry.TelemetryScaleCheck.Run(Console.Out);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
