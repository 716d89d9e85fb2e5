namespace EdgeTwin.Gateway.Twin.Binding;

using System.Collections.Immutable;

/// <summary>
/// A patient (pseudonym) in a bed with these devices from <see cref="From"/> (inclusive) until
/// <see cref="To"/> (exclusive; null while the stay is open).
/// </summary>
internal sealed record BindingWindow(string Patient, string Bed, ImmutableArray<string> Devices, DateTimeOffset From, DateTimeOffset? To)
{
    public bool IsOpen => To is null;

    public bool Covers(DateTimeOffset at) => at >= From && (To is null || at < To);

    /// <summary>Whether this window and one starting at <paramref name="from"/> (open-ended) share any instant.</summary>
    public bool OverlapsFrom(DateTimeOffset from) => To is null || from < To;
}
