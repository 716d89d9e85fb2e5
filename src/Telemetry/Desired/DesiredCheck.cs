namespace EdgeTwin.Telemetry.Desired;

/// <summary>
/// The verdict on a desired-state envelope. When not <see cref="Accepted"/>, <see cref="Problem"/> is
/// one of <see cref="DesiredEnvelope"/>'s problem names; <see cref="Document"/> and
/// <see cref="Signer"/> are filled in as far as they were established (for logging and reporting).
/// </summary>
public sealed record DesiredCheck(bool Accepted, DesiredDocument? Document, string? Signer, string? Problem);
