namespace EdgeTwin.Gateway.Tests.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Hosting;
using Microsoft.Extensions.Configuration;

/// <summary><c>Gateway:SettingsFile</c>: a device profile layered over appsettings.json, under the command line.</summary>
public sealed class SettingsFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("edgetwin-settings-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void SettingsFile_OverridesAppsettings_AndTheCommandLineOverridesIt()
    {
        var file = Path.Combine(dir, "devices.json");
        File.WriteAllText(file, """{ "Gateway": { "Name": "from-file", "Site": "file-site" }, "Simulation": { "Beds": 0 } }""");

        var configuration = GatewayHost.CreateBuilder([$"--Gateway:SettingsFile={file}", "--Gateway:Site=cmd-site"]).Configuration;

        Assert.Equal(("from-file", "cmd-site", "0"), (configuration["Gateway:Name"], configuration["Gateway:Site"], configuration["Simulation:Beds"]));
        Assert.Equal("edgetwin/v1", configuration["Uplink:TopicPrefix"]); // appsettings.json still underneath
    }

    [Theory]
    [InlineData("ward-compact.json", 10, 20)]
    [InlineData("home-care.json", 30, 10)]
    public void MeteredLinkProfiles_TurnOnCompactRecords_WithTheirIntervals(string profile, int vitalsSeconds, int waveformsSeconds)
    {
        var file = Path.Combine(RepositoryRoot(), "hardware", "profiles", profile);

        var configuration = GatewayHost.CreateBuilder([$"--Gateway:SettingsFile={file}"]).Configuration;
        var options = new RecorderOptions();
        configuration.GetSection(RecorderOptions.Section).Bind(options);

        Assert.Equal((true, TimeSpan.FromSeconds(vitalsSeconds), TimeSpan.FromSeconds(waveformsSeconds)), (options.Compact, options.VitalsInterval, options.WaveformsInterval));
        Assert.True(new EdgeTwin.Gateway.Pipeline.RecorderOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void SettingsFile_MissingOrNotJson_IsARefusalNamingTheSetting()
    {
        var missing = Assert.Throws<StartupException>(() => GatewayHost.CreateBuilder([$"--Gateway:SettingsFile={dir}/none.json"]));
        File.WriteAllText(Path.Combine(dir, "bad.json"), "{ \"Gateway\": {");
        var bad = Assert.Throws<StartupException>(() => GatewayHost.CreateBuilder([$"--Gateway:SettingsFile={dir}/bad.json"]));

        Assert.Equal("Gateway:SettingsFile", missing.Setting);
        Assert.Contains("none.json' does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains("bad.json' cannot be read", bad.Message, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (Directory.Exists(Path.Combine(d.FullName, "hardware", "profiles")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("hardware/profiles above " + AppContext.BaseDirectory);
    }
}
