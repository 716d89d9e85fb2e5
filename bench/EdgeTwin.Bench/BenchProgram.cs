namespace EdgeTwin.Bench;

internal static class BenchProgram
{
    public static void Main(string[] args)
    {
        if (args is ["inference-latency", .. var rest])
        {
            Inference.InferenceLatency.Run(rest);
            return;
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
    }
}
