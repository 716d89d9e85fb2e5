namespace EdgeTwin.Gateway.Status.Document;

/// <summary>What the technician needs on a full disk: full since when and why, the filesystem against its floor, the reserve.</summary>
internal sealed record StorageStatus(
    bool Full,
    DateTimeOffset? FullSince,
    string? Reason,
    long Episodes,
    long? FreeBytes,
    long? TotalBytes,
    long? FloorBytes,
    long ReserveBytes,
    long ReserveReleases);
