namespace EdgeTwin.Gateway.Pairing;

using EdgeTwin.Drivers.Ble.Pairing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>Bluetooth pairing from the box: the settings and the one <see cref="BlePairing"/>; nothing touches D-Bus before a request does.</summary>
internal static class PairingServiceCollectionExtensions
{
    public static IServiceCollection AddPairing(this IServiceCollection services)
    {
        services.AddOptions<PairingOptions>().BindConfiguration(PairingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PairingOptions>, PairingOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PairingOptions>>().Value;
            var settings = new BlePairingSettings(options.Adapter, string.IsNullOrWhiteSpace(options.Bus) ? null : options.Bus.Trim());
            return new BlePairing(settings, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BlePairing>>());
        });
        return services;
    }
}
