namespace EdgeTwin.Drivers.Tests.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Simulation;
using EdgeTwin.Drivers.Tests.Support;

public class SimulatorDeterminismTests
{
    public static TheoryData<string> Scenarios => [.. ScenarioCatalog.Names];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void SameSeed_SameSamples_HoweverTheWorkIsChunked(string scenario)
    {
        var oneSecondSteps = SimRun.Generate(scenario, 42, TimeSpan.FromSeconds(70));
        var oddSteps = SimRun.Generate(scenario, 42, TimeSpan.FromSeconds(70), step: TimeSpan.FromMilliseconds(37));

        Assert.Equal(Canonical(oneSecondSteps), Canonical(oddSteps));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void OtherSeed_OtherSamples(string scenario)
    {
        var a = SimRun.Generate(scenario, 1, TimeSpan.FromSeconds(20));
        var b = SimRun.Generate(scenario, 2, TimeSpan.FromSeconds(20));

        Assert.Equal(a.Count, b.Count);
        Assert.NotEqual(Canonical(a), Canonical(b));
    }

    [Fact]
    public void Waveforms_StateTheirResolution_AndEverySampleIsAWholeNumberOfIt()
    {
        var samples = SimRun.Generate("motion-artefact", 11, TimeSpan.FromSeconds(60));

        var ecg = samples.Where(s => s.Stream.Code == StreamCodes.EcgLeadII.Code).ToList();
        var pleth = samples.Where(s => s.Stream.Code == StreamCodes.Pleth.Code && s.IsValid).ToList();
        Assert.NotEmpty(pleth);
        Assert.All(ecg, s => Assert.Equal("0.005", s.Stream.Resolution));
        Assert.All(pleth, s => Assert.Equal("0.001", s.Stream.Resolution));

        // The nearest double to k x 0.005 (k / 200), as a decimal reader of "k x 0.005" gives it.
        Assert.All(ecg, s => Assert.Equal(s.Value!.Value, Math.Round(s.Value.Value * 200) / 200));
        Assert.All(pleth, s => Assert.Equal(s.Value!.Value, Math.Round(s.Value.Value * 1000) / 1000));
        Assert.True(ecg.Select(s => s.Value).Distinct().Count() > 100, "the ECG moves on its grid");
    }

    [Fact]
    public void Samples_LieOnTheExactGrid_WithTheConfiguredRates()
    {
        var settings = SimulatedBedSettings.Default with { EcgRateHz = 500 };
        var samples = SimRun.Generate("stable", 7, TimeSpan.FromSeconds(10), settings);

        var ecg = samples.Where(s => s.Stream.Code == StreamCodes.EcgLeadII.Code).ToList();
        var pleth = samples.Where(s => s.Stream.Code == StreamCodes.Pleth.Code).ToList();
        var hr = samples.Where(s => s.Stream == StreamCodes.HeartRate).ToList();

        // Both ends included: 0..10 s.
        Assert.Equal(5001, ecg.Count);
        Assert.Equal(1001, pleth.Count);
        Assert.Equal(11, hr.Count);
        Assert.All(ecg.Zip(ecg.Skip(1)), p => Assert.Equal(TimeSpan.FromMilliseconds(2), p.Second.Timestamp - p.First.Timestamp));
        Assert.All(pleth.Zip(pleth.Skip(1)), p => Assert.Equal(TimeSpan.FromMilliseconds(10), p.Second.Timestamp - p.First.Timestamp));
        Assert.All(hr, s => Assert.Equal(0, s.Timestamp.Ticks % TimeSpan.TicksPerSecond));
        Assert.Equal(500, ecg[0].Stream.NominalRateHz);
    }

    [Fact]
    public void NoWaveformRates_GiveVitalsOnly()
    {
        var settings = SimulatedBedSettings.Default with { EcgRateHz = 0, PlethRateHz = 0 };
        var samples = SimRun.Generate("stable", 7, TimeSpan.FromSeconds(4), settings);

        Assert.Equal(8 * 5, samples.Count);
        Assert.All(samples, s => Assert.Equal(StreamKind.Vital, s.Stream.Kind));
    }

    private static List<string> Canonical(IEnumerable<Sample> samples) =>
        [.. samples.OrderBy(s => s.Stream.Code, StringComparer.Ordinal).ThenBy(s => s.Timestamp)
            .Select(s => $"{s.Stream.Code}|{s.Timestamp.UtcTicks}|{s.Value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")];
}
