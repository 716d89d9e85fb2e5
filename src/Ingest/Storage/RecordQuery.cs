namespace EdgeTwin.Ingest.Storage;

/// <summary>Which verified records to read: by patient and/or gateway, from a time, newest last.</summary>
internal sealed record RecordQuery(string? Patient, string? Gw, DateTimeOffset? Since, string? Kind, int Limit);
