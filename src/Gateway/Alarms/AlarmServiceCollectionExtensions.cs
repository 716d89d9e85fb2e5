namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Gpio.NurseCall;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>Registers inference and alarms (docs/inference.md, "Wiring").</summary>
internal static class AlarmServiceCollectionExtensions
{
    /// <summary>
    /// The engine (section <c>Inference</c>), a sample observer feeding it, the annunciator and
    /// nurse-call buttons (sections <c>Annunciator</c>, <c>NurseCall</c>) and the alarm service, which
    /// the composition root (Hosting) starts as a hosted service just before the pipeline.
    /// </summary>
    public static IServiceCollection AddAlarms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeTwinInference(configuration);
        services.AddSingleton<AlarmChanges>();
        services.AddSingleton(sp => new AlarmIdentities(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Name));
        services.AddSingleton(sp => new AlarmStatusHandler(
            sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Name, sp.GetRequiredService<IOptions<UplinkOptions>>().Value.ReceiptSigners,
            sp.GetRequiredService<AlarmIdentities>(), sp.GetRequiredService<TwinController>(), sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlarmStatusHandler>>()));
        services.TryAddSingleton<IAlarmContext, TwinAlarmContext>();
        services.TryAddSingleton(sp => new DriverFactory(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()).CreateAnnunciator(configuration));
        services.TryAddSingleton<IReadOnlyList<INurseCallButton>>(sp =>
            new DriverFactory(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()).CreateNurseCallButtons(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, ThresholdMapValidator>());
        services.AddSingleton<AlarmThresholdsTarget>();
        services.AddSingleton<IDesiredSettingsTarget>(sp => sp.GetRequiredService<AlarmThresholdsTarget>());
        services.AddSingleton<ILocalConfigurationSource>(sp => sp.GetRequiredService<AlarmThresholdsTarget>());
        services.AddSingleton<IModelStatusSource, EngineModelStatus>();
        services.AddSingleton<IPatientStateTarget, InferencePatientTarget>();
        services.AddSingleton<ISampleObserver, InferenceSampleObserver>();
        services.AddSingleton(sp =>
        {
            var engine = sp.GetRequiredService<InferenceEngine>();
            sp.GetService<GatewayMetrics>()?.ObserveActiveAlarms(engine.Alarms.Active);
            return ActivatorUtilities.CreateInstance<AlarmService>(sp, sp.GetRequiredService<IReadOnlyList<INurseCallButton>>());
        });
        return services;
    }
}
