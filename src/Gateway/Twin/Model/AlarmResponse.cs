namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// What an alarm manager reported of an alarm (IHE PCD-05, through the ingest's signed
/// <c>alarm-status</c> document): <c>delivered</c>, <c>read</c>, <c>accepted</c> or <c>rejected</c>,
/// by whom, when, and the alert identity it named. Shown only: it does not silence or clear anything.
/// </summary>
internal sealed record AlarmResponse(string Status, string? By, DateTimeOffset At, string Alert);
