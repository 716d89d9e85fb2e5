namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

public sealed class AlarmRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-di-").FullName;

    [Fact]
    public async Task AddEdgeTwinGateway_ObserverAndEngineRegistered_AlarmServiceStartsJustBeforeThePipeline()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = _directory,
            ["Inference:Model:Enabled"] = "false",
        });
        builder.Services.AddEdgeTwinGateway(builder.Configuration);

        await using var provider = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.Contains(provider.GetServices<ISampleObserver>(), o => o is InferenceSampleObserver);
        Assert.NotNull(provider.GetRequiredService<InferenceEngine>());
        Assert.Equal(hosted.FindIndex(s => s is PipelineService) - 1, hosted.FindIndex(s => s is AlarmService));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
