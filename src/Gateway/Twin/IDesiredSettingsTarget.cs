namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Twin.Desired;

/// <summary>
/// A part of the gateway that puts settings in force live (drivers: enabled and sample rates;
/// alarms: thresholds; outbox: checkpoint cadence and quotas). Called with the whole configuration
/// at start and after every applied desired document; must not throw for a configuration the twin
/// has validated.
/// </summary>
internal interface IDesiredSettingsTarget
{
    void Apply(TwinConfiguration configuration);
}
