namespace EdgeTwin.Gateway.Alarms;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Hosting;
using EdgeTwin.Telemetry.Documents;
using Microsoft.Extensions.Logging;

/// <summary>
/// Where an <c>alarm-status</c> document (an alarm manager's answer, put back by the ingest;
/// docs/protocol.md §6) is checked. It is shown only when it is signed by one of
/// <c>Uplink:ReceiptSigners</c> (the ingest's key), names this gateway, has a <c>seq</c> above every
/// one accepted before (a replay is refused), and names an alarm open on this box by the identity the
/// ingest gave it, with that alarm's patient, device and condition. Then the patient's alarm in the
/// reported twin shows it (<c>response</c>) and an <c>alarm-status</c> event records it. It never
/// silences, acknowledges or clears the local alarm: only the bedside (nurse-call button) does that.
/// Anything else is refused with its reason, counted every time, and logged and recorded as an
/// <c>alarm-status-rejected</c> event at most once per reason a minute (anyone can publish).
/// </summary>
internal sealed class AlarmStatusHandler(
    string gw,
    IReadOnlyCollection<string> signers,
    AlarmIdentities identities,
    TwinController controller,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<AlarmStatusHandler> logger)
{
    public const string Replayed = "replayed";
    public const string UnknownAlarm = "unknown-alarm";
    public const string AlarmMismatch = "alarm-mismatch";

    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly LogThrottle _throttle = new(time, TimeSpan.FromMinutes(1));
    private long _floor = -1;

    /// <summary>The highest <c>seq</c> accepted so far (-1: none).</summary>
    public long Floor => Interlocked.Read(ref _floor);

    /// <summary>Null when shown and recorded; else the reason it was refused.</summary>
    public async Task<string?> HandleAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var problem = Check(payload.Span, out var document, out var alarm);
            if (problem is not null)
            {
                await RefuseAsync(problem, document, cancellationToken).ConfigureAwait(false);
                return problem;
            }

            Interlocked.Exchange(ref _floor, document!.Seq);
            var response = new AlarmResponse(document.Status, document.Who, document.At, document.Alert);
            var record = new TwinEvent("alarm-status", new JsonObject
            {
                ["alert"] = document.Alert,
                ["patient"] = document.Patient,
                ["device"] = document.Device,
                ["condition"] = document.Condition,
                ["status"] = document.Status,
                ["by"] = document.Who,
                ["at"] = TwinTime.Format(document.At),
                ["seq"] = document.Seq,
                ["issued"] = TwinTime.Format(document.Issued),
            });
            var patient = AlarmPatients.IsPatient(alarm!.EnginePatient) ? alarm.EnginePatient : null;
            await controller.RecordAlarmResponseAsync(patient, document.Condition, response, record, cancellationToken).ConfigureAwait(false);
            metrics.AlarmStatus(document.Status);
            AlarmLog.ResponseAccepted(logger, document.Condition, document.Alert, document.Status, document.Who ?? "(not named)", document.At, document.Seq);
            return null;
        }
        finally
        {
            _one.Release();
        }
    }

    private string? Check(ReadOnlySpan<byte> payload, out AlarmStatusDocument? document, out AlarmIdentities.OpenAlarm? alarm)
    {
        alarm = null;
        if (!AlarmStatusDocument.TryOpen(payload, gw, signers, out document, out var signer, out var problem))
        {
            return problem == AlarmStatusDocument.UnlistedSigner ? $"{problem}: signed by {signer}" : problem;
        }

        if (document!.Seq <= Floor)
        {
            return $"{Replayed}: seq {document.Seq} is not above {Floor}, the last accepted";
        }

        alarm = identities.Find(document.Alert);
        if (alarm is null)
        {
            return $"{UnknownAlarm}: no alarm {document.Alert} is open on this box";
        }

        return alarm.Patient == document.Patient && alarm.Device == document.Device && alarm.Condition == document.Condition
            ? null
            : $"{AlarmMismatch}: alarm {document.Alert} is {alarm.Condition} of {alarm.Patient} on {alarm.Device}, not {document.Condition} of {document.Patient} on {document.Device}";
    }

    private async Task RefuseAsync(string problem, AlarmStatusDocument? document, CancellationToken cancellationToken)
    {
        var kind = problem.Split(':', 2)[0];
        metrics.Rejected("alarm-status", kind);
        if (!_throttle.ShouldLog(kind, out var heldBack))
        {
            return;
        }

        AlarmLog.ResponseRefused(logger, problem, heldBack);
        var fields = new JsonObject { ["reason"] = kind, ["seq"] = document?.Seq, ["alert"] = document?.Alert };
        if (heldBack > 0)
        {
            fields["heldBack"] = heldBack;
        }

        await controller.RecordEventAsync(new TwinEvent("alarm-status-rejected", fields), cancellationToken).ConfigureAwait(false);
    }
}
