namespace EdgeTwin.Gateway.Twin.Desired;

/// <summary>
/// The newest desired document applied: a document must be newer in version and not older in
/// <c>issued</c> (PROTOCOL §6; no rollback to an old signed document). <see cref="Issued"/> is null
/// when only the twin store knew the version (written before the floor file existed).
/// </summary>
internal sealed record DesiredFloor(long Version, DateTimeOffset? Issued)
{
    public static DesiredFloor None { get; } = new(0, null);

    public bool IsNone => Version == 0 && Issued is null;

    /// <summary>The higher of two floors (the twin store's and the file's; one may have been lost).</summary>
    public DesiredFloor Max(DesiredFloor other) =>
        new(Math.Max(Version, other.Version), Issued is null ? other.Issued : other.Issued is null ? Issued : Issued > other.Issued ? Issued : other.Issued);
}
