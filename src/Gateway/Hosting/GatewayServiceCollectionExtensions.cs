namespace EdgeTwin.Gateway.Hosting;

using System.Text.Json.Serialization.Metadata;
using EdgeTwin.Gateway.Access;
using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Broker;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Pairing;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Status;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

/// <summary>
/// The gateway's one registration entry point: options, the chains and the outbox, the uplink and
/// the embedded broker, the pipeline, the shadow twin and the parts that connect it, inference and
/// alarms, then every hosted service in the one order they start in (and stop in reverse). A caller
/// (a test) may register its own <c>IDriverSource</c>, <c>IAlarmContext</c>, annunciator or clock
/// first; those are kept.
/// </summary>
internal static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeTwinGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        // The status address's bodies from generated metadata (a NativeAOT build has no reflection-based serializer).
        services.ConfigureHttpJsonOptions(o =>
        {
            IJsonTypeInfoResolver[] generated = [StatusJsonContext.Default, TwinJsonContext.Default, PairingJsonContext.Default, AccessJsonContext.Default];
            for (var i = 0; i < generated.Length; i++)
            {
                o.SerializerOptions.TypeInfoResolverChain.Insert(i, generated[i]);
            }
        });
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.AddOptions<UplinkOptions>().BindConfiguration(UplinkOptions.Section)
            .PostConfigure(o => ScalarList.AddTo(o.ReceiptSigners, configuration.GetSection(UplinkOptions.Section)[nameof(UplinkOptions.ReceiptSigners)]))
            .ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateOnStart();
        services.AddOptions<StatusOptions>().BindConfiguration(StatusOptions.Section);
        services.AddOptions<RecorderOptions>().BindConfiguration(RecorderOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RecorderOptions>, RecorderOptionsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, EnvironmentValidator>();
        services.AddSingleton<IValidateOptions<UplinkOptions>, UplinkOptionsValidator>();
        services.AddSingleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>();

        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<AdminToken>();
        services.AddSingleton<AdminThrottle>();
        services.TryAddSingleton<IClockQuality>(_ => configuration["Gateway:Clock"] switch
        {
            "synced" => new FixedClockQuality(ClockQuality.Synced),
            "unsynced" => new FixedClockQuality(ClockQuality.Unsynced),
            _ => new KernelClockQuality(),
        });
        services.AddSingleton<FirstStartFiles>();
        services.AddSingleton(sp =>
        {
            // A pending key rotation is completed before the key is loaded and the outbox opened (both change).
            var gateway = sp.GetRequiredService<IOptions<GatewayOptions>>();
            GatewayKeyRotation.CompleteIfPending(gateway.Value, sp.GetRequiredService<EdgeTwin.Outbox.Encryption.StorageKey>(), sp.GetRequiredService<IOutboxFiles>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IClockQuality>().Current, sp.GetRequiredService<ILogger<GatewayIdentity>>());
            return new GatewayIdentity(gateway, sp.GetRequiredService<ILogger<GatewayIdentity>>(), sp.GetService<FirstStartFiles>());
        });
        services.TryAddSingleton(GatewayStorageKey.FromServices);
        services.TryAddSingleton<IOutboxFiles>(SyncedOutboxFiles.Instance);
        services.AddSingleton(sp =>
        {
            _ = sp.GetRequiredService<GatewayIdentity>(); // completes a pending key rotation first
            return OutboxOpener.OpenForGateway(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectoryFullPath,
                sp.GetRequiredService<IOutboxFiles>(), sp.GetRequiredService<EdgeTwin.Outbox.Encryption.StorageKey>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<FirstStartFiles>());
        });
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
        services.AddSingleton<RetiredChains>();
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
        services.AddSingleton<Recorder>();
        services.AddSingleton<PipelineService>();

        AddTwin(services, configuration);
        services.AddAlarms(configuration);
        services.AddPairing();

        // Start in this order, stop in reverse. The twin is restored before the first sample or
        // message, and its desired state subscribed; the alarm service starts just before the
        // pipeline and so stops just after it (a change the last samples cause is still recorded);
        // the pipeline drains and commits first, then the uplink publishes what the link allows,
        // then the committer's last commit, then the broker.
        services.AddHostedService(sp => sp.GetRequiredService<ReportedTwinService>());
        services.AddHostedService<DesiredSubscription>();
        services.AddHostedService<AlarmStatusSubscription>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttUplink>());
        services.AddHostedService(sp => sp.GetRequiredService<AlarmService>());
        services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
        services.AddHostedService<StartupAnnouncer>();
        services.AddHostedService<ClockJumpMonitor>();
        services.AddHostedService<WatchdogService>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminToken>());
        services.AddHostedService<StartupPageRelease>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        // /metrics: the gateway's meter in the Prometheus text format (HELP and TYPE per family), served
        // fresh at every scrape; counters keep the names the docs give (no _total suffix); the gateway's
        // own instruments hold 100 series each, not 2,000 (GatewayMetrics.SeriesPerInstrument).
        services.AddOpenTelemetry().ConfigureResource(r => r.AddService("edgetwin-gateway")).WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName, EdgeTwin.Drivers.Diagnostics.DriverMetrics.MeterName).AddView(GatewayMetrics.Streams).AddPrometheusExporter(o =>
        {
            o.ScrapeResponseCacheDurationMilliseconds = 0;
            o.DisableTotalNameSuffixForCounters = true;
        }));
        return services;
    }

    /// <summary>
    /// The shadow twin and what connects it to the rest (docs/twin.md): patient attribution from its
    /// bindings and consent, the driver source wrapped for device identity and health, its events
    /// appended to the telemetry chain, the reported twin published through the uplink, checkpoint
    /// cadence and quota put in force from the desired state.
    /// </summary>
    private static void AddTwin(IServiceCollection services, IConfiguration configuration)
    {
        services.AddTwinCore(configuration, sp => sp.GetServices<ILocalConfigurationSource>().Aggregate(
            OutboxSettingsTarget.Local(sp.GetRequiredService<IOptions<OutboxOptions>>().Value), (local, source) => source.AddTo(local)));
        services.AddSingleton<ITwinEventSink, ChainEventSink>();
        services.AddSingleton<IReportedPublisher, UplinkReportedPublisher>();
        services.AddSingleton<IUplinkStateSource, GatewayUplinkState>();
        services.AddSingleton<IDesiredSettingsTarget, OutboxSettingsTarget>();
        services.AddSingleton<IPatientResolver, TwinPatientResolver>();

        // The drivers a caller registered (a test), else those the configuration names.
        var drivers = services.LastOrDefault(d => d.ServiceType == typeof(IDriverSource)) ?? ServiceDescriptor.Singleton<IDriverSource, ConfiguredDriverSource>();
        services.RemoveAll<IDriverSource>();
        services.AddSingleton(sp => new TwinDriverSource((IDriverSource)Create(sp, drivers), sp.GetRequiredService<TwinController>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TwinDriverSource>>()));
        services.AddSingleton<IDriverSource>(sp => sp.GetRequiredService<TwinDriverSource>());
        services.AddSingleton<IDeviceHealthSource>(sp => sp.GetRequiredService<TwinDriverSource>());
    }

    private static object Create(IServiceProvider sp, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
}
