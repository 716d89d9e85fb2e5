namespace EdgeTwin.ModelBuilder;

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeTwin.Inference.Model;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

/// <summary>
/// Trains the deterioration model reproducibly and exports it to ONNX:
/// <c>dotnet run --project tools/ModelBuilder -- [output folder, default models]</c>, or
/// <c>--check</c> (before or after the folder) to rebuild in a temporary folder and compare with the shipped file; anything else is refused (exit 2).
/// </summary>
internal static class Program
{
    private const int TrainSeed = 20261127;
    private const int HeldOutSeed = 424242;
    private const int MlSeed = 42;
    private const int TrainPerScenario = 150;
    private const int HeldOutPerScenario = 50;
    private const int Minutes = 300;
    private const double AlarmThreshold = 0.7;
    private const int TreeCount = 100;
    private const int LeavesPerTree = 16;

    public static int Main(string[] args)
    {
        // `--check` anywhere (`-- models --check` as the README puts it, or `-- --check models`); one folder at most.
        var check = args.Contains("--check", StringComparer.Ordinal);
        var unknown = args.Where(a => a.StartsWith('-') && a != "--check").ToList();
        var folders = args.Where(a => !a.StartsWith('-')).ToList();
        if (unknown.Count > 0 || folders.Count > 1)
        {
            Console.Error.WriteLine($"usage: ModelBuilder [--check] [folder]  ({(unknown.Count > 0 ? "unknown option " + string.Join(" ", unknown) : "one folder only")})");
            return 2;
        }

        var target = folders.FirstOrDefault() ?? "models";
        var output = check ? Directory.CreateTempSubdirectory("edgetwin-model-").FullName : target;
        Directory.CreateDirectory(output);

        var train = WindowDataset.Build(Trajectories(TrainSeed, TrainPerScenario));
        var heldOut = WindowDataset.Build(Trajectories(HeldOutSeed, HeldOutPerScenario));
        Console.WriteLine($"training windows {train.Count} ({train.Count(r => r.Label)} positive), held-out {heldOut.Count} ({heldOut.Count(r => r.Label)} positive)");

        var ml = new MLContext(seed: MlSeed);
        var trainView = ml.Data.LoadFromEnumerable(train);
        var heldOutView = ml.Data.LoadFromEnumerable(heldOut);

        // The linear model is kept as the yardstick: NEWS2 is U-shaped in pulse, temperature and
        // pressure, which a linear score cannot follow and boosted trees can.
        var linear = ml.Transforms.NormalizeMeanVariance("features")
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                FeatureColumnName = "features",
                LabelColumnName = "Label",
                L2Regularization = 0.1f,
                NumberOfThreads = 1,
            })).Fit(trainView);
        var linearAuc = ml.BinaryClassification.Evaluate(linear.Transform(heldOutView)).AreaUnderRocCurve;

        var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            FeatureColumnName = "features",
            LabelColumnName = "Label",
            NumberOfTrees = TreeCount,
            NumberOfLeaves = LeavesPerTree,
            MinimumExampleCountPerLeaf = 20,
            LearningRate = 0.1,
            NumberOfThreads = 1,
            Seed = MlSeed,
        }).Fit(trainView);

        var path = Path.Combine(output, ShippedModel.Id + ".onnx");
        using (var stream = File.Create(path))
        {
            ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(Array.Empty<ModelInput>()), stream, "Probability");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Console.WriteLine($"{path} sha256 {sha}");

        // Score the held-out windows through the gateway's own runner: the metrics are those of the shipped graph.
        using var runner = new ModelRunner(new ModelOptions { Path = Path.GetFullPath(path), Sha256 = sha });
        if (!runner.IsAvailable)
        {
            Console.Error.WriteLine("exported model does not load: " + runner.Status.Reason);
            return 1;
        }

        var onnxScores = heldOut.Select(r => runner.TryRun(r.Features, out var risk, out var problem) ? risk : throw new InvalidOperationException(problem)).ToList();
        var mlScores = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(heldOutView), reuseRowObject: false).Select(s => (double)s.Probability).ToList();
        var maxDifference = onnxScores.Zip(mlScores, (a, b) => Math.Abs(a - b)).Max();
        var labels = heldOut.Select(r => r.Label).ToList();
        var report = new
        {
            model = ShippedModel.Id,
            sha256 = sha,
            features = TrendFeatures.Names,
            trainer = $"ML.NET 5.0.1 FastTree binary ({TreeCount} trees, {LeavesPerTree} leaves, learning rate 0.1, Platt-calibrated), exported with Microsoft.ML.OnnxConverter 0.23.1",
            linearYardstickHeldOutAuc = Math.Round(linearAuc, 4),
            seeds = new { train = TrainSeed, heldOut = HeldOutSeed, mlContext = MlSeed },
            trajectories = new { perScenarioTrain = TrainPerScenario, perScenarioHeldOut = HeldOutPerScenario, minutes = Minutes },
            label = $"true NEWS2 >= 5 at any minute in the {WindowDataset.HorizonMinutes} min after the window",
            trainWindows = train.Count,
            onnxVsMlNetMaxAbsDifference = maxDifference,
            heldOut = new
            {
                atHalf = BinaryMetrics.Compute(onnxScores, labels, 0.5),
                atAlarmThreshold = BinaryMetrics.Compute(onnxScores, labels, AlarmThreshold),
                news2NowAtLeast5Baseline = BinaryMetrics.Compute(heldOut.Select(r => (double)r.News2Now).ToList(), labels, 5),
                byScenario = Enum.GetValues<Scenario>().Select(s =>
                {
                    var idx = Enumerable.Range(0, heldOut.Count).Where(i => heldOut[i].Scenario == s).ToList();
                    return new
                    {
                        scenario = s.ToString(),
                        windows = idx.Count,
                        positives = idx.Count(i => labels[i]),
                        flaggedAtAlarmThreshold = idx.Count(i => onnxScores[i] >= AlarmThreshold),
                        meanRisk = Math.Round(idx.Average(i => onnxScores[i]), 4),
                    };
                }),
            },
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(output, ShippedModel.Id + ".metrics.json"), json + "\n");
        Console.WriteLine(json);

        if (check)
        {
            var shipped = Path.Combine(target, ShippedModel.Id + ".onnx");
            var shippedSha = File.Exists(shipped) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(shipped))) : "(missing)";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rebuilt {sha}, shipped {shippedSha}: {(sha == shippedSha ? "reproduced" : "DIFFERENT")}"));
            Directory.Delete(output, recursive: true);
            return sha == shippedSha ? 0 : 1;
        }

        return 0;
    }

    private static IEnumerable<Trajectory> Trajectories(int seed, int perScenario)
    {
        var rng = new Random(seed);
        for (var i = 0; i < perScenario; i++)
        {
            foreach (var scenario in Enum.GetValues<Scenario>())
            {
                yield return TrajectoryGenerator.Generate(scenario, rng, Minutes);
            }
        }
    }
}
