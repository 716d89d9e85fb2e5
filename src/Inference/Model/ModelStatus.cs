namespace EdgeTwin.Inference.Model;

/// <summary>
/// What the twin reports about the model. When <see cref="Available"/> is false the gateway runs
/// rules only and <see cref="Reason"/> says why (missing, corrupt, hash or shape mismatch, disabled).
/// </summary>
public sealed record ModelStatus(bool Available, string ModelId, string Version, string? Sha256, string? Reason)
{
    /// <summary>Disabled by configuration: not a fault, so no technical alarm.</summary>
    public bool Disabled { get; init; }
}
