namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Gateway.Uplink;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TwinRegistrationTests : IDisposable
{
    private const string Operator = "0x1563915e194D8CfBA1943570603F7606A3115508";
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-di-").FullName;

    [Fact]
    public void AddTwinCore_WithGatewayParts_ResolvesTheTwinOnTheDataDirectory()
    {
        using var provider = Build(new() { ["Twin:OperatorAddresses:0"] = Operator, ["Twin:ReportInterval"] = "00:00:02" });

        var handler = provider.GetRequiredService<DesiredStateHandler>();
        var options = provider.GetRequiredService<IOptions<TwinOptions>>().Value;

        Assert.NotNull(handler);
        Assert.Equal([Operator], options.OperatorAddresses);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReportInterval);
        Assert.NotNull(provider.GetRequiredService<ReportedTwinService>());
        Assert.Empty(provider.GetServices<IHostedService>()); // the composition root starts it, in its place
        Assert.True(File.Exists(Path.Combine(_directory, "twin.db")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "site-secret")));
    }

    [Fact]
    public async Task AddEdgeTwinGateway_TwinTakesOverAttributionAndDrivers_AndStartsFirst()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:DataDirectory"] = _directory, ["Inference:Model:Enabled"] = "false" });
        var services = builder.Services;
        services.AddEdgeTwinGateway(builder.Configuration);

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        // OpenTelemetry puts the hosted service that builds its meter provider (for /metrics) first; it starts nothing of the gateway.
        var hosted = provider.GetServices<IHostedService>().Where(h => h.GetType().Namespace?.StartsWith("OpenTelemetry.", StringComparison.Ordinal) != true).ToList();

        Assert.Equal(typeof(TwinPatientResolver), services.Single(d => d.ServiceType == typeof(IPatientResolver)).ImplementationType);
        Assert.IsType<TwinDriverSource>(provider.GetRequiredService<IDriverSource>());
        Assert.IsType<ReportedTwinService>(hosted[0]);
        Assert.IsType<DesiredSubscription>(hosted[1]);
        Assert.Single(hosted, h => h is DesiredSubscription);
    }

    [Theory]
    [InlineData(Operator)]
    [InlineData(" " + Operator + " ,0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF")]
    public void OperatorAddresses_GivenAsOneScalar_AreTakenNotIgnored(string scalar)
    {
        using var provider = Build(new() { ["Twin:OperatorAddresses"] = scalar });

        var options = provider.GetRequiredService<IOptions<TwinOptions>>().Value;

        Assert.Equal(scalar.Split(',').Select(a => a.Trim()), options.OperatorAddresses);
    }

    [Theory]
    [InlineData("Twin:OperatorAddresses:0", "0x1234", "is not 0x followed by 40 hex digits")]
    [InlineData("Twin:OperatorAddresses", "0x1234", "is not 0x followed by 40 hex digits")]
    [InlineData("Twin:ReportInterval", "00:00:00.010", "Twin:ReportInterval must be between")]
    [InlineData("Twin:DefaultConsent:0", "genome", "unknown stream class 'genome'")]
    public void AddTwinCore_BadOptions_FailWithAClearMessage(string key, string value, string message)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TwinOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.Configure<GatewayOptions>(o => o.DataDirectory = _directory);
        services.AddSingleton<ITwinEventSink, RecordingEventSink>();
        services.AddSingleton<IReportedPublisher, RecordingPublisher>();
        services.AddSingleton<IUplinkStateSource, FixedUplink>();
        services.AddTwinCore(configuration, _ => TwinConfiguration.Default);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
