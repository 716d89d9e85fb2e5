namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>Registers the shadow twin's own parts (docs/twin.md); the gateway's composition root connects them.</summary>
internal static class TwinServiceCollectionExtensions
{
    /// <summary>
    /// The twin alone. The caller registers <see cref="ITwinEventSink"/>, <see cref="IReportedPublisher"/>,
    /// <see cref="IUplinkStateSource"/> and any <see cref="IDesiredSettingsTarget"/>s (the gateway's
    /// composition root, Hosting; tests: fakes) and runs <see cref="ReportedTwinService"/> as a hosted service.
    /// </summary>
    internal static IServiceCollection AddTwinCore(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, TwinConfiguration> local)
    {
        services.AddOptions<TwinOptions>().Bind(configuration.GetSection(TwinOptions.Section))
            .PostConfigure(o => ScalarList.AddTo(o.OperatorAddresses, configuration.GetSection(TwinOptions.Section)[nameof(TwinOptions.OperatorAddresses)]))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwinOptions>, TwinOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new TwinIdentity(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Name));
        services.AddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<TwinOptions>>().Value.SiteSecretPath ?? Path.Combine(DataDirectory(sp), "site-secret");
            var logger = sp.GetRequiredService<ILogger<Pseudonymizer>>();
            SiteSecret secret;
            try
            {
                secret = SiteSecret.LoadOrCreate(path, out var created);
                if (created)
                {
                    TwinLog.SiteSecretCreated(logger, path);
                }
            }
            catch (IOException ex) when (StorageFaults.IsOutOfSpace(ex) && sp.GetService<FirstStartFiles>() is { } firstStart)
            {
                // A first start on a full disk: the pseudonyms use this secret from now on, and it is on disk before any record is.
                var inMemory = SiteSecret.GenerateInMemory();
                firstStart.Defer("site secret", path, () => inMemory.WriteNew(path), () => TwinLog.SiteSecretCreated(logger, path), ex);
                secret = inMemory;
            }

            return new Pseudonymizer(secret);
        });
        services.TryAddSingleton(GatewayStorageKey.FromServices);
        services.AddSingleton(sp =>
        {
            var firstStart = sp.GetService<FirstStartFiles>();
            var store = TwinStore.Open(sp.GetRequiredService<IOptions<TwinOptions>>().Value.StorePath ?? Path.Combine(DataDirectory(sp), "twin.db"), sp.GetRequiredService<StorageKey>(),
                firstStart is null ? null : () => firstStart.AllWritten);
            if (store.EncryptedDocuments is { } documents)
            {
                GatewayLog.StoreEncrypted(sp.GetRequiredService<ILogger<TwinStore>>(), store.Path, documents);
            }

            return store;
        });
        services.AddSingleton(sp => new ShadowTwin(
            sp.GetRequiredService<IOptions<TwinOptions>>().Value.DefaultConsent.Select(c => StreamClassNames.TryParse(c, out var v) ? v : throw new OptionsValidationException(TwinOptions.Section, typeof(TwinOptions), [$"unknown stream class {c}"])),
            local(sp)));
        services.AddSingleton<ReportSignal>();
        services.AddSingleton(sp => new DesiredFloorFile(sp.GetRequiredService<IOptions<TwinOptions>>().Value.DesiredFloorPath ?? Path.Combine(DataDirectory(sp), "desired-floor.json")));
        services.AddSingleton<TwinController>();
        services.AddSingleton<DesiredStateHandler>();
        services.AddSingleton<ReportedTwinService>();
        return services;
    }

    private static string DataDirectory(IServiceProvider sp) => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectoryFullPath;
}
