namespace EdgeTwin.Gateway.Tests.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Hosting;

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
}
