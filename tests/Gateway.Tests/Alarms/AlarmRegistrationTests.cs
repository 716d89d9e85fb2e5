namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

public sealed class AlarmRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-di-").FullName;

    [Fact]
    public async Task AddEdgeTwinAlarms_AfterGatewayAndTwin_ObserverAndServiceStartJustBeforeThePipeline()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = _directory,
            ["Inference:Model:Enabled"] = "false",
        });
        builder.Services.AddEdgeTwinGateway(builder.Configuration);
        builder.Services.AddEdgeTwinTwin(builder.Configuration);
        builder.Services.AddEdgeTwinAlarms(builder.Configuration);

        await using var provider = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.Contains(provider.GetServices<ISampleObserver>(), o => o is InferenceSampleObserver);
        Assert.NotNull(provider.GetRequiredService<InferenceEngine>());
        Assert.Equal(hosted.FindIndex(s => s is PipelineService) - 1, hosted.FindIndex(s => s is AlarmService));
    }

    [Fact]
    public void AddEdgeTwinAlarms_WithoutTheGateway_FailsNamingWhatIsMissing()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddEdgeTwinAlarms(new ConfigurationBuilder().Build()));
        Assert.Contains("AddEdgeTwinGateway first", ex.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
