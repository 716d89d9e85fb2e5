namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// One entry of the access log (the accounting of disclosures): who (<see cref="Subject"/> with
/// <see cref="Roles"/>) asked which route for which patient (<see cref="Patient"/> pseudonym) or
/// gateway (<see cref="Gw"/>; <c>*</c> for a read across all), when, and the HTTP status it got.
/// </summary>
internal sealed record AccessRow(DateTimeOffset At, string Subject, string Roles, string Route, string Path, string? Patient, string? Gw, int Status)
{
    public long Id { get; init; }
}
