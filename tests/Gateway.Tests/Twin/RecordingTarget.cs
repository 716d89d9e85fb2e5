namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;

/// <summary>A settings target that remembers every configuration it was given.</summary>
internal sealed class RecordingTarget : IDesiredSettingsTarget
{
    public List<TwinConfiguration> Applied { get; } = [];

    public void Apply(TwinConfiguration configuration) => Applied.Add(configuration);
}
