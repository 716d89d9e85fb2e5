namespace EdgeTwin.Drivers.Tests.Configuration;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

public class DriverConfigurationTests
{
    /// <summary>Later values win, as in layered configuration files.</summary>
    internal static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.GroupBy(v => v.Key).Select(g => new KeyValuePair<string, string?>(g.Key, g.Last().Value))).Build();

    [Fact]
    public async Task NoConfiguration_GivesTheDefaultFourBedStableWard()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Config());

        Assert.Equal(["sim-bed-1", "sim-bed-2", "sim-bed-3", "sim-bed-4"], drivers.Select(d => d.Info.DeviceId));
        Assert.All(drivers, d => Assert.Contains("(stable)", d.Info.Model, StringComparison.Ordinal));
        Assert.All(drivers, d => Assert.Contains(d.Info.Streams, s => s.Code == StreamCodes.EcgLeadII.Code && s.NominalRateHz == 250));
        Assert.Equal(4, drivers.Select(d => d.Info.Serial).Distinct().Count());
        foreach (var driver in drivers)
        {
            await driver.DisposeAsync();
        }
    }

    [Fact]
    public void PerBedScenario_AndRates_AreApplied()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Simulation:Beds", "3"),
            ("Simulation:Scenario", "sepsis"),
            ("Simulation:BedScenarios:2", "acute-hypoxia"),
            ("Simulation:EcgRateHz", "500"),
            ("Simulation:Seed", "77")));

        Assert.Equal(3, drivers.Count);
        Assert.Contains("(sepsis)", drivers[0].Info.Model, StringComparison.Ordinal);
        Assert.Contains("(acute-hypoxia)", drivers[1].Info.Model, StringComparison.Ordinal);
        Assert.Contains("(sepsis)", drivers[2].Info.Model, StringComparison.Ordinal);
        Assert.Contains(drivers[0].Info.Streams, s => s.Code == StreamCodes.EcgLeadII.Code && s.NominalRateHz == 500);
    }

    [Fact]
    public void SameSeed_SameBedSeeds_OtherSeed_Other()
    {
        var a = new SimulationOptions { Seed = 1 };
        var b = new SimulationOptions { Seed = 1 };
        var c = new SimulationOptions { Seed = 2 };

        Assert.Equal(a.SeedOf(3), b.SeedOf(3));
        Assert.NotEqual(a.SeedOf(3), c.SeedOf(3));
        Assert.NotEqual(a.SeedOf(1), a.SeedOf(2));
    }

    [Theory]
    [InlineData("Simulation:Beds", "1001", "Simulation:Beds")]
    [InlineData("Simulation:Beds", "four", "Simulation:Beds")]
    [InlineData("Simulation:Scenario", "septic-shock", "Simulation:Scenario")]
    [InlineData("Simulation:BedScenarios:9", "stable", "Simulation:BedScenarios:9")]
    [InlineData("Simulation:BedScenarios:two", "stable", "Simulation:BedScenarios:two")]
    [InlineData("Simulation:BedScenarios:1", "nope", "Simulation:BedScenarios:1")]
    [InlineData("Simulation:EcgRateHz", "50", "Simulation:EcgRateHz")]
    [InlineData("Simulation:PlethRateHz", "NaN", "Simulation:PlethRateHz")]
    [InlineData("Simulation:Speed", "0", "Simulation:Speed")]
    [InlineData("Simulation:WakeIntervalMs", "1", "Simulation:WakeIntervalMs")]
    [InlineData("Devices:0:Type", "toaster", "Devices:0:Type")]
    public void BadValue_FailsNamingTheKey_AndBuildsNothing(string key, string value, string named)
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config((key, value))));

        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevicesSection_BuildsTheEcgReplay_WithItsSettings()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Simulation:Beds", "0"),
            ("Devices:0:Type", "ecg-replay"),
            ("Devices:0:Id", "replay-208"),
            ("Devices:0:Loop", "false")));

        var replay = Assert.Single(drivers);
        Assert.Equal("replay-208", replay.Info.DeviceId);
        Assert.Contains(replay.Info.Streams, s => s.Code == StreamCodes.EcgLeadII.Code && s.NominalRateHz == 360);
    }

    [Theory]
    [InlineData("Loop", "sometimes")]
    [InlineData("WakeIntervalMs", "0")]
    public void BadDeviceSetting_FailsNamingDeviceAndKey(string key, string value)
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Devices:0:Type", "ecg-replay"), ("Devices:0:Id", "r1"), ($"Devices:0:{key}", value))));

        Assert.Contains($"r1, ecg-replay):{key}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateDeviceId_IsRejected()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Devices:0:Type", "ecg-replay"), ("Devices:0:Id", "sim-bed-1"))));

        Assert.StartsWith("Devices:0:Id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GpioPinUsedTwice_IsRejected_NamingBothUses()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Devices:0:Type", "hx711-scale"), ("Devices:0:Id", "scale-1"), ("Devices:0:DataPin", "16"),
            ("NurseCall:0:Id", "call-1"), ("NurseCall:0:Pin", "16"))));

        Assert.Equal("NurseCall:0:Pin: '16' is not valid; expected a pin not already used by Devices:0:DataPin.", error.Message);
    }

    [Theory]
    [InlineData("Annunciator:Type", "siren", "Annunciator:Type")]
    [InlineData("NurseCall:0:Pin", "1", "NurseCall:0:Pin")]
    public void BadGpioSetting_IsRejected(string key, string value, string named)
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).CreateAnnunciator(Config(
            ("NurseCall:0:Id", "call-1"), ("NurseCall:0:Pin", "16"), (key, value))));

        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
    }
}
