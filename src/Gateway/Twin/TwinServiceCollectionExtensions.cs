namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Gateway.Twin.Reported;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Registers the shadow twin. The gateway supplies what the twin needs of it:
/// <see cref="ITwinEventSink"/> (outbox), <see cref="IReportedPublisher"/> and
/// <see cref="IUplinkStateSource"/> (uplink), any number of <see cref="IDesiredSettingsTarget"/>s,
/// and it calls <see cref="DesiredStateHandler"/> with each <c>twin/desired</c> message and
/// <see cref="ShadowTwin.Observe"/> with each sample.
/// </summary>
internal static class TwinServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeTwinTwin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TwinOptions>().Bind(configuration.GetSection(TwinOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwinOptions>, TwinOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var dataDirectory = configuration["Twin:DataDirectory"] ?? configuration["Gateway:DataDirectory"] ?? "data";
        services.AddSingleton(new TwinIdentity(configuration["Gateway:Name"] ?? "edgetwin-gw"));
        services.AddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<TwinOptions>>().Value.SiteSecretPath ?? Path.Combine(dataDirectory, "site-secret");
            var secret = SiteSecret.LoadOrCreate(path, out var created);
            if (created)
            {
                TwinLog.SiteSecretCreated(sp.GetRequiredService<ILogger<Pseudonymizer>>(), path);
            }

            return new Pseudonymizer(secret);
        });
        services.AddSingleton(sp => TwinStore.Open(sp.GetRequiredService<IOptions<TwinOptions>>().Value.StorePath ?? Path.Combine(dataDirectory, "twin.db")));
        services.AddSingleton(sp => new ShadowTwin(
            sp.GetRequiredService<IOptions<TwinOptions>>().Value.DefaultConsent.Select(c => StreamClasses.TryParse(c, out var v) ? v : throw new OptionsValidationException(TwinOptions.Section, typeof(TwinOptions), [$"unknown stream class {c}"])),
            TwinConfiguration.Default));
        services.AddSingleton<ReportSignal>();
        services.AddSingleton<TwinController>();
        services.AddSingleton<DesiredStateHandler>();
        services.AddHostedService<ReportedTwinService>();
        return services;
    }
}
