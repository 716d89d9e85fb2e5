using System.Diagnostics;
using System.Globalization;

namespace EdgeTwin.Bench.Inference;

/// <summary>
/// Per-call latency of one patient window (features + ONNX run), timed call by call so p99 is a
/// real percentile, not an average: <c>dotnet run -c Release --project bench/EdgeTwin.Bench -- inference-latency [calls]</c>.
/// </summary>
internal static class InferenceLatency
{
    public static void Run(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        using var workload = new InferenceWorkload();
        Measure(workload, 2_000);
        var window = Measure(workload, calls);
        var onnx = MeasureOnnx(workload, calls);
        Console.WriteLine($"model {workload.Runner.ModelId} sha256 {workload.Runner.Status.Sha256}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformationText()}");
        Print("window (features + ONNX run)", window);
        Print("ONNX run only", onnx);
    }

    private static double[] Measure(InferenceWorkload workload, int calls)
    {
        var micros = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _ = workload.Runner.Predict(workload.Vitals, workload.Now, out _) ?? throw new InvalidOperationException("no prediction");
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return micros;
    }

    private static double[] MeasureOnnx(InferenceWorkload workload, int calls)
    {
        var micros = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _ = workload.Runner.TryRun(workload.Features, out _, out _);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return micros;
    }

    private static void Print(string what, double[] micros)
    {
        Array.Sort(micros);
        double At(double q) => micros[Math.Min(micros.Length - 1, (int)Math.Ceiling(q * micros.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: n={micros.Length} p50={At(0.50):F1} us p99={At(0.99):F1} us max={micros[^1]:F1} us"));
    }

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}";
}
