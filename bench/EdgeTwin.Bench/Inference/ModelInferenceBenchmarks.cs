namespace EdgeTwin.Bench.Inference;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;

/// <summary>Mean cost per patient window: features alone, the ONNX run alone, both, and NEWS2 for comparison.</summary>
[MemoryDiagnoser]
public class ModelInferenceBenchmarks : IDisposable
{
    private readonly InferenceWorkload _workload = new();
    private readonly float[] _features = new float[TrendFeatures.Count];
    private readonly News2Scorer _scorer = new(new News2Options(), TimeProvider.System);

    [Benchmark]
    public bool Features() => TrendFeatures.TryCompute(_workload.Vitals, _workload.Now, _features, out _);

    [Benchmark]
    public double OnnxRun() => _workload.Runner.TryRun(_workload.Features, out var risk, out _) ? risk : double.NaN;

    [Benchmark]
    public double? PredictWindow() => _workload.Runner.Predict(_workload.Vitals, _workload.Now, out _)?.Risk;

    [Benchmark]
    public int News2Score() => _scorer.Score(_workload.Vitals).Aggregate;

    public void Dispose()
    {
        _workload.Dispose();
        GC.SuppressFinalize(this);
    }
}
