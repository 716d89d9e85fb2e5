namespace EdgeTwin.Inference.Model;

using System.Security.Cryptography;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

/// <summary>
/// Runs the configured ONNX model on a patient's trend features. Loading never throws for a model
/// fault: a missing, corrupt, hash-mismatched or wrongly shaped model leaves the runner unavailable
/// with <see cref="Status"/> saying why, the gateway scores by rules only and raises a technical
/// alarm. Thread-safe: ONNX Runtime sessions may run concurrently.
/// </summary>
public sealed partial class ModelRunner : IDisposable
{
    private static readonly long[] InputShape = [1, TrendFeatures.Count];

    private readonly InferenceSession? _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly ILogger _logger;

    // One RunOptions for the runner's lifetime: ONNX Runtime requires one per Run and it is safe to share.
    // Made only when the model is enabled: making it loads ONNX Runtime's native library (3.3 MiB resident).
    private readonly RunOptions? _runOptions;

    public ModelRunner(ModelOptions options, ILogger<ModelRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _inputNames = [options.InputName];
        _outputNames = [options.OutputName];
        if (!options.Enabled)
        {
            Status = new ModelStatus(false, options.Id, options.Version, null, "disabled by configuration") { Disabled = true };
            LogDisabled(_logger, options.Id);
            return;
        }

        _runOptions = new RunOptions();
        (_session, Status) = Open(options);
        if (_session is null)
        {
            LogUnavailable(_logger, options.Id, Status.Reason!);
        }
        else
        {
            LogLoaded(_logger, options.Id, options.Version, Status.Sha256!);
        }
    }

    public ModelStatus Status { get; }

    public bool IsAvailable => _session is not null;

    public string ModelId => Status.ModelId;

    /// <summary>The alarm source string of this model (PROTOCOL §4).</summary>
    public string Source => "model:" + Status.ModelId;

    /// <summary>
    /// Risk for the window ending at <paramref name="now"/>; null with the reason when the model is
    /// unavailable or the patient has too little recent data.
    /// </summary>
    public ModelPrediction? Predict(PatientVitals vitals, DateTimeOffset now, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        if (_session is null)
        {
            problem = Status.Reason;
            return null;
        }

        Span<float> features = stackalloc float[TrendFeatures.Count];
        if (!TrendFeatures.TryCompute(vitals, now, features, out problem))
        {
            return null;
        }

        return TryRun(features, out var risk, out problem) ? new ModelPrediction(vitals.Patient, ModelId, now, risk) : null;
    }

    /// <summary>Runs the model on one feature vector (order of <see cref="TrendFeatures.Names"/>).</summary>
    public bool TryRun(ReadOnlySpan<float> features, out double risk, out string? problem)
    {
        risk = double.NaN;
        if (_session is null)
        {
            problem = Status.Reason;
            return false;
        }

        if (features.Length != TrendFeatures.Count)
        {
            problem = $"expected {TrendFeatures.Count} features, got {features.Length}";
            return false;
        }

        try
        {
            risk = RunOnce(_session, features);
        }
        catch (OnnxRuntimeException ex)
        {
            problem = "model run failed: " + ex.Message;
            LogRunFailed(_logger, ModelId, ex);
            return false;
        }

        if (!double.IsFinite(risk) || risk < 0 || risk > 1)
        {
            problem = $"model returned {risk}, not a probability";
            return false;
        }

        problem = null;
        return true;
    }

    public void Dispose()
    {
        _session?.Dispose();
        _runOptions?.Dispose();
    }

    private double RunOnce(InferenceSession session, ReadOnlySpan<float> features)
    {
        var buffer = features.ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(buffer, InputShape);
        using var outputs = session.Run(_runOptions!, _inputNames, [input], _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    private (InferenceSession? Session, ModelStatus Status) Open(ModelOptions options)
    {
        ModelStatus Fail(string reason, string? sha = null) => new(false, options.Id, options.Version, sha, reason);

        var path = options.ResolvedPath;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, Fail($"model file {path} cannot be read: {ex.Message}"));
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(sha, options.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Fail($"model file {path} has SHA-256 {sha}, configuration expects {options.Sha256.ToLowerInvariant()}", sha));
        }

        InferenceSession session;
        try
        {
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            session = new InferenceSession(bytes, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            return (null, Fail("model does not load: " + ex.Message, sha));
        }

        var problem = CheckSignature(session, options);
        if (problem is null)
        {
            // One run on a plausible resting patient proves the graph executes before it is trusted.
            try
            {
                var risk = RunOnce(session, [75f, 0f, 15f, 0f, 97f, 0f, 120f, 0f, 37f, 0f]);
                problem = double.IsFinite(risk) && risk is >= 0 and <= 1 ? null : $"model returned {risk} for a resting patient, not a probability";
            }
            catch (OnnxRuntimeException ex)
            {
                problem = "model does not run: " + ex.Message;
            }
        }

        if (problem is not null)
        {
            session.Dispose();
            return (null, Fail(problem, sha));
        }

        return (session, new ModelStatus(true, options.Id, options.Version, sha, null));
    }

    private static string? CheckSignature(InferenceSession session, ModelOptions options)
    {
        if (session.InputMetadata.Count != 1 || !session.InputMetadata.TryGetValue(options.InputName, out var input))
        {
            return $"model inputs [{string.Join(", ", session.InputMetadata.Keys)}] are not the single input '{options.InputName}'";
        }

        if (input.ElementType != typeof(float) || input.Dimensions.Length != 2 || input.Dimensions[1] != TrendFeatures.Count || input.Dimensions[0] is not (-1 or 1))
        {
            return $"model input '{options.InputName}' is {input.ElementType.Name}[{string.Join(",", input.Dimensions)}], expected Single[-1 or 1,{TrendFeatures.Count}]";
        }

        if (!session.OutputMetadata.TryGetValue(options.OutputName, out var output))
        {
            return $"model outputs [{string.Join(", ", session.OutputMetadata.Keys)}] lack '{options.OutputName}'";
        }

        if (output.ElementType != typeof(float) || output.Dimensions.Length != 2 || output.Dimensions[1] != 1)
        {
            return $"model output '{options.OutputName}' is {output.ElementType.Name}[{string.Join(",", output.Dimensions)}], expected Single[n,1]";
        }

        return null;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Model {ModelId} {Version} loaded (sha256 {Sha256})")]
    private static partial void LogLoaded(ILogger logger, string modelId, string version, string sha256);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Model {ModelId} unavailable, scoring by rules only: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string modelId, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Model {ModelId} disabled by configuration, scoring by rules only")]
    private static partial void LogDisabled(ILogger logger, string modelId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "Model {ModelId} run failed")]
    private static partial void LogRunFailed(ILogger logger, string modelId, Exception exception);
}
