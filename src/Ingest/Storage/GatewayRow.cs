namespace EdgeTwin.Ingest.Storage;

/// <summary>Cloud-side facts about one gateway that are not records: last reported twin and status.</summary>
internal sealed record GatewayRow
{
    public required string Gw { get; init; }
    public required string Site { get; init; }
    public string? Reported { get; init; }
    public long ReportedVersion { get; init; } = -1;
    public string? Status { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public bool SilentAlerted { get; init; }

    /// <summary>The gateway key rotations the ingest verified and follows (JSON, <see cref="Enrolment.KeyHistory"/>).</summary>
    public string? KeyRotations { get; init; }
}
