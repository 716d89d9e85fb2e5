namespace EdgeTwin.Ingest;

using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Fhir;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Monitoring;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Resend;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Twin;
using EdgeTwin.Ingest.Ward;
using EdgeTwin.Outbox.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

/// <summary>Composition of the ingest; Program and the tests share it.</summary>
internal static class IngestServices
{
    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsSemanticValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        // GET /metrics (operator only, IngestHost): the ingest's meter in the Prometheus text format,
        // fresh at every scrape; counters keep the names the docs give (no _total suffix), as the gateway's.
        services.AddOpenTelemetry().ConfigureResource(r => r.AddService("edgetwin-ingest")).WithMetrics(metrics => metrics.AddMeter(IngestMetrics.MeterName).AddPrometheusExporter(o =>
        {
            o.ScrapeResponseCacheDurationMilliseconds = 0;
            o.DisableTotalNameSuffixForCounters = true;
        }));
        services.AddIngestAccess();
        services.AddSingleton<AlertPublisher>();
        services.AddSingleton<IIngestStore>(sp => CreateStore(sp.GetRequiredService<IOptions<IngestOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<StoreStartup>();
        services.AddSingleton<RecordRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordRetention>());
        services.AddSingleton<AlarmQueue>();
        services.AddSingleton<AlarmsOutMetrics>();
        services.AddSingleton<AlarmsOutReader>();
        services.AddSingleton<GatewayEnrolment>();
        services.AddHostedService<EnrolmentWatcher>();
        services.AddSingleton<BatchProcessor>();
        services.AddSingleton<CloudTwinReader>();
        services.AddSingleton<ObservationBundleBuilder>();
        services.AddSingleton<IngestIdentity>();
        services.AddSingleton<MqttIngestWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestWorker>());
        services.AddSingleton<ChainWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<ChainWatchdog>());
        services.AddSingleton<Anchorer>();
        services.AddHostedService(sp => sp.GetRequiredService<Anchorer>());
        services.AddSingleton<ProofBuilder>();
        services.AddSingleton(sp => new WardChanges { MaxSubscribers = sp.GetRequiredService<IOptions<IngestOptions>>().Value.WardMaxSubscribers });
        services.AddSingleton<WardView>();
        services.AddSingleton<ResendRequester>();
        services.AddHostedService(sp => sp.GetRequiredService<ResendRequester>());
        services.AddSingleton<AlarmSenders>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmSenders>());
        services.AddSingleton(sp => new AlarmStatusToBox(
            sp.GetRequiredService<IOptions<IngestOptions>>(), sp.GetRequiredService<IIngestStore>(), sp.GetRequiredService<IngestIdentity>(),
            sp.GetRequiredService<MqttIngestWorker>().PublishAsync, sp.GetRequiredService<AlarmsOutMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlarmStatusToBox>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlarmStatusToBox>());
        services.AddSingleton<AlertStatusListener>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertStatusListener>());
        return services;
    }

    /// <summary>
    /// <c>Ingest:StorageKeyFile</c>, or <c>storage.key</c> in the LiteDB directory, generated (0600) on
    /// first start only in that default place: a configured file that is missing is an error (a lost
    /// key must be restored, not replaced).
    /// </summary>
    private static StorageKey OpenStorageKey(IngestOptions options, string directory)
    {
        var configured = !string.IsNullOrWhiteSpace(options.StorageKeyFile);
        var path = configured ? Path.GetFullPath(options.StorageKeyFile!) : LiteDbIngestStore.DefaultKeyFile(directory);
        try
        {
            return StorageKey.Open(path, generateWhenMissing: !configured);
        }
        catch (Exception ex) when (ex is SecretFileException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:StorageKeyFile: {ex.Message}"]);
        }
    }

    internal static IIngestStore CreateStore(IngestOptions options, TimeProvider time)
    {
        if (!StorageSpec.TryParse(options.Storage, out var spec, out var problem))
        {
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [problem!]);
        }

        return spec!.Kind == StorageKind.LiteDb ? new LiteDbIngestStore(spec.Target, OpenStorageKey(options, spec.Target)) : new PostgresIngestStore(spec.Target, time, partitioned: options.Retention is not null);
    }
}
