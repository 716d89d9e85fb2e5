namespace EdgeTwin.Inference;

using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="InferenceEngine"/> and its parts (<see cref="News2Scorer"/>,
    /// <see cref="ModelRunner"/>, <see cref="AlarmManager"/>) as singletons, configured from the <c>Inference</c> section and validated at start. Uses the
    /// registered <see cref="TimeProvider"/> (the system clock when none is).
    /// </summary>
    public static IServiceCollection AddEdgeTwinInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, ThresholdRulesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new News2Scorer(Options(sp).News2, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ModelRunner(Options(sp).Model, sp.GetService<ILogger<ModelRunner>>()));
        services.TryAddSingleton(sp => new AlarmManager(Options(sp).Alarms, sp.GetRequiredService<TimeProvider>(), Options(sp).News2));
        services.TryAddSingleton(sp => new InferenceEngine(
            sp.GetRequiredService<News2Scorer>(), sp.GetRequiredService<ModelRunner>(), sp.GetRequiredService<AlarmManager>(), Options(sp), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static InferenceOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<InferenceOptions>>().Value;
}
