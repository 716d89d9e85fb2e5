namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// The verdict on one payload. <see cref="Chain"/> is null when the payload did not even name a chain
/// (malformed JSON, bad gw/lane/epoch). <see cref="Hash"/> is the lowercase hex SHA-256 of the payload.
/// </summary>
public sealed record RecordOutcome(ChainKey? Chain, long Seq, string? Hash, RecordStatus Status, string? Problem);
