namespace EdgeTwin.Gateway.Hosting;

using EdgeTwin.Gateway.Broker;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

/// <summary>
/// Composes the gateway. Later parts plug in with their own registrations after this call:
/// <c>ISampleObserver</c> (see every sample), <c>IRecordAppender</c> (alarms and events into the
/// chains), <c>IUplink</c> (retained documents, subscriptions), their own hosted services.
/// </summary>
internal static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeTwinGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.AddOptions<UplinkOptions>().BindConfiguration(UplinkOptions.Section).ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateOnStart();
        services.AddOptions<StatusOptions>().BindConfiguration(StatusOptions.Section);
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, EnvironmentValidator>();
        services.AddSingleton<IValidateOptions<UplinkOptions>, UplinkOptionsValidator>();
        services.AddSingleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>();

        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<Status.PrometheusExporter>();
        services.TryAddSingleton<IClockQuality>(_ => configuration["Gateway:Clock"] switch
        {
            "synced" => new FixedClockQuality(ClockQuality.Synced),
            "unsynced" => new FixedClockQuality(ClockQuality.Unsynced),
            _ => new KernelClockQuality(),
        });
        services.AddSingleton<FirstStartFiles>();
        services.AddSingleton<GatewayIdentity>();
        services.TryAddSingleton(GatewayStorageKey.FromServices);
        services.TryAddSingleton<IOutboxFiles>(SyncedOutboxFiles.Instance);
        services.AddSingleton<ChainBook>();
        services.AddSingleton<IRecordAppender>(sp => sp.GetRequiredService<ChainBook>());
        services.AddSingleton<RetentionRequests>();
        services.AddSingleton(sp => new PublishLedger(sp.GetRequiredService<ChainBook>().Store.Published(Lane.Telemetry)));
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<IFreeSpace>(FilesystemFreeSpace.Instance);
        services.AddSingleton<StorageReserve>();
        services.AddSingleton<Evictor>();
        services.AddSingleton<GroupCommitter>();
        services.AddSingleton<UplinkTopics>();
        services.AddSingleton<SignedDocuments>();
        services.AddSingleton<MqttUplink>();
        services.AddSingleton<IUplink>(sp => sp.GetRequiredService<MqttUplink>());
        services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<MqttUplink>());
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<EmbeddedBrokerSecret>();

        // With the embedded broker, the uplink logs in with this process's own secret (the gateway's client id is reserved for it).
        services.AddOptions<UplinkOptions>().PostConfigure<EmbeddedBrokerSecret>((o, secret) =>
        {
            if (string.IsNullOrWhiteSpace(o.Broker))
            {
                o.Username = EmbeddedBrokerSecret.Username;
                o.Password = secret.Password;
            }
        });
        services.TryAddSingleton<IPatientResolver, HmacPatientResolver>();
        services.TryAddSingleton<IDriverSource, ConfiguredDriverSource>();
        services.AddSingleton<Recorder>();
        services.AddSingleton<PipelineService>();

        // Start in this order, stop in reverse: the pipeline drains and commits first, then the
        // uplink publishes what the link allows, then the committer's last commit, then the broker.
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttUplink>());
        services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
        services.AddHostedService<StartupAnnouncer>();
        services.AddHostedService<ClockJumpMonitor>();
        services.AddHostedService<WatchdogService>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return services;
    }
}
