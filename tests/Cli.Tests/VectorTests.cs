namespace EdgeTwin.Cli.Tests;

using System.Text.Json;
using EdgeTwin.Cli.Vectors;

/// <summary>The committed vectors are what the generator makes, and verify to their manifest.</summary>
public sealed class VectorTests
{
    public static TheoryData<string> ManifestFiles()
    {
        var data = new TheoryData<string>();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Cli.Vector("manifest.json")));
        foreach (var entry in manifest.RootElement.EnumerateArray())
        {
            data.Add(entry.GetProperty("file").GetString()!);
        }

        return data;
    }

    [Fact]
    public void CommittedVectors_AreExactlyWhatTheGeneratorWrites()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-vectors-").FullName;
        try
        {
            VectorWriter.Write(dir, VectorGenerator.Generate());
            var generated = Directory.GetFiles(dir).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(16, generated.Count);
            foreach (var name in generated)
            {
                Assert.Equal(File.ReadAllText(Cli.Vector(name!)), File.ReadAllText(Path.Combine(dir, name!)));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Manifest_CoversEveryCaptureFile()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "vectors"), "*.jsonl").Select(f => Path.GetFileName(f)).Order();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Cli.Vector("manifest.json")));
        Assert.Equal(files, manifest.RootElement.EnumerateArray().Select(e => e.GetProperty("file").GetString()!).Order());
    }

    [Fact]
    public async Task Verify_DecodesAndCountsTheCompactVectorsSamples()
    {
        var (exit, output, _) = await Cli.RunAsync("verify", Cli.Vector("compact-bodies.jsonl"), "--json");

        using var report = JsonDocument.Parse(output);
        var samples = report.RootElement.GetProperty("samples");
        Assert.Equal(0, exit);

        // seq 1: 5 heart rate + 4 temperature; seq 4: 6 ECG + 3 pleth; seq 3: one plain sample.
        Assert.Equal((2, 18), (samples.GetProperty("obs-compact").GetProperty("records").GetInt32(), samples.GetProperty("obs-compact").GetProperty("samples").GetInt32()));
        Assert.Equal((1, 1), (samples.GetProperty("obs").GetProperty("records").GetInt32(), samples.GetProperty("obs").GetProperty("samples").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public async Task Verify_ReportsTheManifestExpectation(string file)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Cli.Vector("manifest.json")));
        var expect = manifest.RootElement.EnumerateArray().Single(e => e.GetProperty("file").GetString() == file).GetProperty("expect");

        var (exit, output, _) = await Cli.RunAsync("verify", Cli.Vector(file), "--json");

        using var report = JsonDocument.Parse(output);
        var totals = report.RootElement.GetProperty("totals");
        foreach (var member in expect.EnumerateObject())
        {
            Assert.True(member.Value.GetInt64() == totals.GetProperty(member.Name).GetInt64(), $"{file}: {member.Name} expected {member.Value}, got {totals.GetProperty(member.Name)}");
        }

        var sound = expect.GetProperty("forks").GetInt64() + expect.GetProperty("brokenLinks").GetInt64() + expect.GetProperty("badSigs").GetInt64()
            + expect.GetProperty("unsignedBranch").GetInt64() + (expect.TryGetProperty("rejected", out var rejected) ? rejected.GetInt64() : 0) == 0;
        Assert.Equal(sound ? 0 : 1, exit);
        Assert.Equal(sound, report.RootElement.GetProperty("sound").GetBoolean());
    }
}
