namespace EdgeTwin.Inference.Tests.Model;

using System.Security.Cryptography;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.Vitals;
using static EdgeTwin.Inference.Tests.VitalFixture;

public sealed class ModelRunnerTests : IDisposable
{
    private static readonly float[] Resting = [74, 0.2f, 15, 0, 97.5f, 0, 124, 0, 36.9f, 0];

    // Early sepsis: everything drifting the wrong way for half an hour.
    private static readonly float[] Septic = [118, 6, 25, 2.5f, 92.5f, -0.8f, 94, -6, 38.9f, 0.3f];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("edgetwin-model-test-");

    private static string ShippedPath => Path.Combine(AppContext.BaseDirectory, ShippedModel.RelativePath);

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void ShippedFile_HashesToTheConstantTheDefaultsUse()
    {
        Assert.Equal(ShippedModel.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ShippedPath))));
        Assert.Equal(ShippedModel.Sha256, new ModelOptions().Sha256);
    }

    [Fact]
    public void Load_ShippedModelWithDefaults_IsAvailable()
    {
        using var runner = new ModelRunner(new ModelOptions());

        Assert.True(runner.IsAvailable, runner.Status.Reason);
        Assert.Equal(new ModelStatus(true, ShippedModel.Id, ShippedModel.Version, ShippedModel.Sha256, null), runner.Status);
        Assert.Equal("model:edgetwin-deterioration-1", runner.Source);
    }

    [Fact]
    public void TryRun_RestingAndSepticTrends_AreSeparated()
    {
        using var runner = new ModelRunner(new ModelOptions());

        Assert.True(runner.TryRun(Resting, out var low, out var p1), p1);
        Assert.True(runner.TryRun(Septic, out var high, out var p2), p2);

        Assert.InRange(low, 0, 0.3);
        Assert.InRange(high, 0.7, 1);
    }

    [Fact]
    public void TryRun_WrongFeatureCount_FailsWithReason()
    {
        using var runner = new ModelRunner(new ModelOptions());

        Assert.False(runner.TryRun(new float[4], out var risk, out var problem));
        Assert.True(double.IsNaN(risk));
        Assert.Equal("expected 10 features, got 4", problem);
    }

    [Fact]
    public void Predict_PatientWithAnHourOfData_ReturnsProbability()
    {
        using var runner = new ModelRunner(new ModelOptions());
        var vitals = new PatientVitals("p7");
        var now = TrendFeaturesTests.Ramp(vitals, minutes: 60);

        var prediction = runner.Predict(vitals, now, out var problem);

        Assert.NotNull(prediction);
        Assert.Null(problem);
        Assert.Equal("p7", prediction.Patient);
        Assert.Equal(ShippedModel.Id, prediction.ModelId);
        Assert.InRange(prediction.Risk, 0, 1);
    }

    [Fact]
    public void Predict_TooLittleData_ReturnsNullWithReason()
    {
        using var runner = new ModelRunner(new ModelOptions());

        Assert.Null(runner.Predict(new PatientVitals("p1"), Start, out var problem));
        Assert.StartsWith("no data for", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptCopy_IsUnavailableBecauseOfTheHash()
    {
        var path = CorruptCopy();
        using var runner = new ModelRunner(new ModelOptions { Path = path });

        Assert.False(runner.IsAvailable);
        Assert.False(runner.Status.Disabled);
        Assert.Contains("has SHA-256", runner.Status.Reason, StringComparison.Ordinal);
        Assert.False(runner.TryRun(Resting, out _, out var problem));
        Assert.Equal(runner.Status.Reason, problem);
        Assert.Null(runner.Predict(new PatientVitals("p1"), Start, out _));
    }

    [Fact]
    public void Load_CorruptCopyWhoseHashIsConfigured_IsUnavailableBecauseItDoesNotLoad()
    {
        var path = CorruptCopy();
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        using var runner = new ModelRunner(new ModelOptions { Path = path, Sha256 = sha.ToUpperInvariant() });

        Assert.False(runner.IsAvailable);
        Assert.StartsWith("model does not", runner.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(sha, runner.Status.Sha256);
    }

    [Fact]
    public void Load_MissingFile_IsUnavailableWithReason()
    {
        using var runner = new ModelRunner(new ModelOptions { Path = Path.Combine(_temp.FullName, "nope.onnx") });

        Assert.False(runner.IsAvailable);
        Assert.Contains("cannot be read", runner.Status.Reason, StringComparison.Ordinal);
        Assert.Null(runner.Status.Sha256);
    }

    [Fact]
    public void Load_InputNameNotInModel_IsUnavailableNamingTheInputs()
    {
        using var runner = new ModelRunner(new ModelOptions { InputName = "vitals" });

        Assert.False(runner.IsAvailable);
        Assert.Equal("model inputs [features] are not the single input 'vitals'", runner.Status.Reason);
    }

    [Fact]
    public void Load_OutputNameNotInModel_IsUnavailableNamingTheOutputs()
    {
        using var runner = new ModelRunner(new ModelOptions { OutputName = "risk" });

        Assert.False(runner.IsAvailable);
        Assert.Equal("model outputs [Probability.output] lack 'risk'", runner.Status.Reason);
    }

    [Fact]
    public void Load_Disabled_IsUnavailableOnPurpose()
    {
        using var runner = new ModelRunner(new ModelOptions { Enabled = false });

        Assert.False(runner.IsAvailable);
        Assert.True(runner.Status.Disabled);
        Assert.Equal("disabled by configuration", runner.Status.Reason);
    }

    private string CorruptCopy()
    {
        var bytes = File.ReadAllBytes(ShippedPath);
        for (var i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        var path = Path.Combine(_temp.FullName, "corrupt.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
