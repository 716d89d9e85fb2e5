namespace EdgeTwin.Bench.Inference;

using System.Diagnostics;
using System.Globalization;

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
        var (observe, evaluate) = MeasureWard(calls);
        Print("engine.Observe, one vital sample (thresholds + sensor-off)", observe);
        Print("engine.Evaluate, 16 beds, NEWS2 only (59 s of 60)", [.. evaluate.Where((_, i) => i % 60 != 0)]);
        Print("engine.Evaluate, 16 beds, NEWS2 + model (1 s of 60)", [.. evaluate.Where((_, i) => i % 60 == 0)]);
    }

    /// <summary>A 16-bed ward on a manual clock: each second six vitals per bed, then one evaluation.</summary>
    private static (double[] Observe, double[] Evaluate) MeasureWard(int calls)
    {
        var time = new ManualTime(InferenceWorkload.Start);
        var options = new EdgeTwin.Inference.InferenceOptions();
        using var runner = new EdgeTwin.Inference.Model.ModelRunner(options.Model);
        var engine = new EdgeTwin.Inference.InferenceEngine(
            new EdgeTwin.Inference.News2.News2Scorer(options.News2, time), runner, new EdgeTwin.Inference.Alarms.AlarmManager(options.Alarms, time), options, time);
        EdgeTwin.Drivers.Model.StreamCode[] streams =
        [
            EdgeTwin.Drivers.Model.StreamCodes.HeartRate, EdgeTwin.Drivers.Model.StreamCodes.RespiratoryRate, EdgeTwin.Drivers.Model.StreamCodes.SpO2,
            EdgeTwin.Drivers.Model.StreamCodes.SystolicBp, EdgeTwin.Drivers.Model.StreamCodes.BodyTemperature, EdgeTwin.Drivers.Model.StreamCodes.Consciousness,
        ];
        double[] values = [82, 17, 96, 121, 37.1, 0];
        var observe = new List<double>(calls);
        var evaluate = new List<double>();
        var seconds = Math.Max(3600, calls / (16 * streams.Length));
        for (var s = 0; s < seconds; s++)
        {
            for (var bed = 0; bed < 16; bed++)
            {
                for (var i = 0; i < streams.Length; i++)
                {
                    var sample = new EdgeTwin.Drivers.Model.Sample($"bed-{bed}", streams[i], time.GetUtcNow(), values[i] + ((s + bed) % 5));
                    var start = Stopwatch.GetTimestamp();
                    _ = engine.Observe($"p{bed}", sample);
                    if (observe.Count < calls)
                    {
                        observe.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    }
                }
            }

            time.Advance(TimeSpan.FromSeconds(1));
            var at = Stopwatch.GetTimestamp();
            _ = engine.Evaluate();
            evaluate.Add(Stopwatch.GetElapsedTime(at).TotalMicroseconds);
        }

        return ([.. observe], [.. evaluate]);
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
