namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Gpio.NurseCall;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Wiring;
using EdgeTwin.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>Registers inference and alarms in the gateway (docs/inference.md, "Wiring").</summary>
internal static class AlarmServiceCollectionExtensions
{
    /// <summary>
    /// Call after <c>AddEdgeTwinGateway</c> and <c>AddEdgeTwinTwin</c>: the engine (section
    /// <c>Inference</c>), a sample observer feeding it, the annunciator and nurse-call buttons
    /// (sections <c>Annunciator</c>, <c>NurseCall</c>) and the alarm service.
    /// </summary>
    public static IServiceCollection AddEdgeTwinAlarms(this IServiceCollection services, IConfiguration configuration)
    {
        // Checked first, so that a wrong call changes nothing.
        if (Announcer(services) < 1)
        {
            throw new InvalidOperationException("AddEdgeTwinAlarms needs AddEdgeTwinGateway first (no StartupAnnouncer registered)");
        }

        services.AddEdgeTwinInference(configuration);
        services.AddSingleton<AlarmChanges>();
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
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AlarmService>(sp, sp.GetRequiredService<IReadOnlyList<INurseCallButton>>()));

        // Started just before the pipeline and so stopped just after it: a change the last samples
        // cause is still recorded, and the uplink and committer stop after that.
        services.Insert(Announcer(services) - 1, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<AlarmService>()));
        return services;
    }

    private static int Announcer(IServiceCollection services) =>
        services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(StartupAnnouncer));
}
