namespace EdgeTwin.Ingest.AlarmsOut;

using System.Text.Json;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Options;

/// <summary>
/// Turns newly verified alarm-lane records into queued PCD-04 messages, inside the batch transaction
/// that verified them (so a message is queued exactly when its record becomes data, and a rollback
/// takes both back). It keeps each alarm's identity across its changes: the first record of an
/// alarm (raised, no open alarm with its key) opens an alert whose id is that record's control id;
/// escalations, acknowledgements and the clear update it; the clear closes it.
/// </summary>
internal sealed class AlarmQueue(IOptionsMonitor<IngestOptions> options)
{
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether there is anyone to report to.</summary>
    public bool Enabled => options.CurrentValue.AlarmManagers.Count > 0;

    /// <summary>Completes at the next <see cref="Committed"/>; a sender takes it before it reads the queue, so no wake-up is missed.</summary>
    public Task NextCommit => Volatile.Read(ref _committed).Task;

    /// <summary>Told after a transaction that queued messages committed: the senders look at once.</summary>
    public void Committed() =>
        Interlocked.Exchange(ref _committed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <returns>Problems of records that could not be forwarded (each becomes an alert; the record stays data).</returns>
    public async Task<IReadOnlyList<(long Seq, string Problem)>> QueueAsync(IWriteSession session, ChainId chain, string site, IReadOnlyList<RecordRow> records, DateTimeOffset now)
    {
        var current = options.CurrentValue;
        var problems = new List<(long, string)>();
        string? reported = null;
        var reportedRead = false;
        foreach (var record in records.Where(r => r.Kind == RecordKinds.Alarm).OrderBy(r => r.Seq))
        {
            if (!AlarmRecord.TryParse(record.Payload, out var alarm, out var problem))
            {
                problems.Add((record.Seq, problem!));
                continue;
            }

            if (!reportedRead)
            {
                reported = (await session.GatewayAsync(chain.Gw).ConfigureAwait(false))?.Reported;
                reportedRead = true;
            }

            var controlId = ControlId(chain, record.Seq);
            var report = await ReportAsync(session, chain.Gw, site, alarm!, controlId, BedOf(reported, alarm!.Patient), now).ConfigureAwait(false);
            foreach (var manager in current.AlarmManagers)
            {
                var text = OruR40Builder.Build(report, current.AlarmsOut, manager, now);
                await session.EnqueueAcmAsync(new AcmMessageRow(0, manager.Name, controlId, report.AlertId, chain.Gw, text, now, AcmMessageRow.Queued, 0, 0, null, null, null)).ConfigureAwait(false);
            }
        }

        return problems;
    }

    /// <summary>MSH-10 of the message for the record at <paramref name="seq"/>: gateway, chain epoch (first 12 digits) and seq.</summary>
    public static string ControlId(ChainId chain, long seq) => AlarmIdentity.ControlId(chain.Gw, chain.Epoch, seq);

    private static async Task<AcmReport> ReportAsync(IWriteSession session, string gw, string site, AlarmRecord alarm, string controlId, string? bed, DateTimeOffset now)
    {
        var open = await session.OpenAcmAlertAsync(gw, alarm.Key).ConfigureAwait(false);
        var (phase, state, inactivation, stillOpen) = alarm.State switch
        {
            AlarmRecord.Raised when open is null => (AcmReport.PhaseStart, AcmReport.StateActive, AcmReport.InactivationEnabled, true),
            AlarmRecord.Raised => (Direction(open.Priority, alarm.Priority), AcmReport.StateActive, AcmReport.InactivationEnabled, true),
            AlarmRecord.Acknowledged => (AcmReport.PhaseUpdate, AcmReport.StateActive, AcmReport.InactivationAcknowledged, true),
            _ => (AcmReport.PhaseEnd, AcmReport.StateInactive, AcmReport.InactivationEnabled, false),
        };

        // An acknowledgement or clear with no open alarm (raised before reporting was configured, or
        // its raise was never verified) still goes out, under an identity of its own.
        // The bed the gateway reports now (a transfer moves it); after a discharge the stay is gone from
        // the reported twin, and the clear names the bed the alarm was last reported at.
        var row = open is null
            ? new AcmAlertRow(controlId, gw, alarm.Key, alarm.Patient, alarm.Device, alarm.Condition, alarm.Priority, phase, state, stillOpen, alarm.At, now, 1, bed)
            : open with { Priority = alarm.Priority, Phase = phase, State = state, Open = stillOpen, UpdatedAt = now, Updates = open.Updates + 1, Bed = bed ?? open.Bed };
        await session.SetAcmAlertAsync(row).ConfigureAwait(false);
        return new AcmReport(controlId, row.AlertId, site, gw, row.Bed, alarm, phase, state, inactivation);
    }

    private static string Direction(string before, string now) =>
        AcmNomenclature.Rank(now).CompareTo(AcmNomenclature.Rank(before)) switch
        {
            > 0 => AcmReport.PhaseEscalate,
            < 0 => AcmReport.PhaseDeescalate,
            _ => AcmReport.PhaseUpdate,
        };

    /// <summary>The bed of the patient's stay as the gateway last reported it (docs/twin.md, <c>state.patients.&lt;pseudonym&gt;.bed</c>).</summary>
    private static string? BedOf(string? reported, string patient)
    {
        if (reported is null || patient.Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(reported);
            return doc.RootElement.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Object
                && state.TryGetProperty("patients", out var patients) && patients.ValueKind == JsonValueKind.Object
                && patients.TryGetProperty(patient, out var entry) && entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("bed", out var bed) && bed.ValueKind == JsonValueKind.String
                ? bed.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
