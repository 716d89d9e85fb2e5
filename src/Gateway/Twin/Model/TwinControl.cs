namespace EdgeTwin.Gateway.Twin.Model;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// The part of the twin that commands change and a restart must not lose: the last applied desired
/// version, the configuration, consent and bindings in force, the last rejection, and the version of
/// the last reported document (which must never go backwards), and the patients flagged
/// hypercapnic (pseudonyms; NEWS2 SpO2 scale 2). <see cref="Configuration"/> is the
/// local configuration with <see cref="Overlay"/>, the settings of every applied document, laid
/// over it. Replaced whole, never edited.
/// </summary>
internal sealed record TwinControl(
    long DesiredVersion,
    long ReportedVersion,
    DesiredRejection? LastRejected,
    DesiredSettings Overlay,
    TwinConfiguration Configuration,
    ConsentBook Consent,
    BindingBook Bindings)
{
    public ImmutableSortedSet<string> Hypercapnic { get; init; } = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
}
