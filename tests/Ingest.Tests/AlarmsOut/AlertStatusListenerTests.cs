namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>The PCD-05 listener on real loopback MLLP: recorded, refused with the reason and nothing changed, peers not allowed shut out.</summary>
public sealed class AlertStatusListenerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private const string AlertId = "gw-1.0123456789ab.1";

    private static IngestOptions Options(params string[] allowed)
    {
        var o = new IngestOptions { AlarmManagers = [new AlarmManagerOptions { Name = "pager", Host = "127.0.0.1", Port = 2575 }] };
        o.AlarmsOut.ListenPort = 0;
        o.AlarmsOut.AllowedPeers = [.. allowed];
        return o;
    }

    private static async Task<AlertStatusListener> StartAsync(AlarmsOutHarness h)
    {
        var listener = new AlertStatusListener(Microsoft.Extensions.Options.Options.Create(h.Options), h.Store, h.Metrics, TimeProvider.System, NullLogger<AlertStatusListener>.Instance);
        await listener.StartAsync(default);
        await listener.Listening.WaitAsync(Patience);
        return listener;
    }

    private static string Report(string alertId = AlertId, string status = "accepted", string controlId = "AM-1") =>
        AlertStatusReportTests.Report(status, obr: $"OBR|1||{alertId}^EDGETWIN|196616^MDC_EVT_ALARM^MDC", controlId: controlId);

    [Fact]
    public async Task Accepted_IsRecordedAgainstTheAlert_WithWhoAndWhen_AnsweredAA()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options());
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        var ack = Hl7Message.Parse(await TestAlarmManager.SendAsync(await listener.Listening, Report(), Patience));
        await listener.StopAsync(default);

        Assert.Equal("ACK^R41^ACK", ack.Header.Raw(9));
        var msa = ack.Segments.Single(s => s.Id == "MSA");
        Assert.Equal(("AA", "AM-1"), (msa.Get(1), msa.Get(2)));
        var status = Assert.Single(await h.Acm.AcmStatusesAsync(AlertId, default));
        Assert.Equal(("accepted", "N-4711 Florence Nightingale", "AM-1"), (status.Status, status.Who, status.ControlId));
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 2, 19, 30, TimeSpan.Zero), status.At);
    }

    [Fact]
    public async Task SameReportTwice_RecordedOnce_BothAnsweredAA()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options());
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        var first = await TestAlarmManager.SendAsync(await listener.Listening, Report(), Patience);
        var second = await TestAlarmManager.SendAsync(await listener.Listening, Report(), Patience);
        await listener.StopAsync(default);

        Assert.Contains("\rMSA|AA|AM-1\r", first, StringComparison.Ordinal);
        Assert.Contains("\rMSA|AA|AM-1|duplicate; already recorded\r", second, StringComparison.Ordinal);
        Assert.Single(await h.Acm.AcmStatusesAsync(AlertId, default));
    }

    [Fact]
    public async Task Unsolicited_UnknownAlert_RefusedAE204_NothingRecorded_Counted()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options());
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        var ack = Hl7Message.Parse(await TestAlarmManager.SendAsync(await listener.Listening, Report(alertId: "gw-1.ffffffffffff.99"), Patience));
        await listener.StopAsync(default);

        Assert.Equal("AE", ack.Segments.Single(s => s.Id == "MSA").Get(1));
        var err = ack.Segments.Single(s => s.Id == "ERR");
        Assert.Equal(("OBR^3", "204"), (err.Raw(2), err.Get(3)));
        Assert.Contains("never reported", err.Get(8), StringComparison.Ordinal);
        Assert.Empty(await h.Acm.AcmStatusesAsync(AlertId, default));
        Assert.Empty(await h.Acm.AcmStatusesAsync("gw-1.ffffffffffff.99", default));
        var counted = Assert.Single(h.Statuses.GetMeasurementSnapshot());
        Assert.Equal(("refused", "204"), (counted.Tags["outcome"] as string, counted.Tags["reason"] as string));
    }

    [Fact]
    public async Task Malformed_RefusedAEWithErr_NothingRecorded_Counted()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options());
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        var answer = await TestAlarmManager.SendAsync(await listener.Listening, Report(status: "seen"), Patience);
        var notHl7 = await TestAlarmManager.SendAsync(await listener.Listening, "hello", Patience);
        await listener.StopAsync(default);

        Assert.Contains("\rMSA|AE|AM-1|", answer, StringComparison.Ordinal);
        Assert.Contains("\rERR||OBX^5|103^Table value not found^HL70357|E||||OBX-5 'seen' is not an alert status", answer, StringComparison.Ordinal);
        Assert.Contains("\rMSA|AE||", notHl7, StringComparison.Ordinal);
        Assert.Empty(await h.Acm.AcmStatusesAsync(AlertId, default));
        Assert.Equal(2, h.Statuses.GetMeasurementSnapshot().Count(m => m.Tags["outcome"] as string == "refused"));
    }

    [Fact]
    public async Task PeerInAnAllowedNetwork_IsAnswered()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options("10.9.9.0/24", "127.0.0.0/8"));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        var ack = Hl7Message.Parse(await TestAlarmManager.SendAsync(await listener.Listening, Report(), Patience));
        await listener.StopAsync(default);

        Assert.Equal("AA", ack.Segments.Single(s => s.Id == "MSA").Get(1));
        Assert.Single(await h.Acm.AcmStatusesAsync(AlertId, default));
    }

    [Fact]
    public async Task PeerNotAllowed_ClosedWithoutAnAnswer_NothingRecorded_Counted()
    {
        await using var h = await AlarmsOutHarness.StartAsync(Options("10.9.9.9", "10.0.0.0/8"));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        var listener = await StartAsync(h);

        await Assert.ThrowsAnyAsync<IOException>(() => TestAlarmManager.SendAsync(listener.Listening.Result, Report(), Patience));
        await listener.StopAsync(default);

        Assert.Empty(await h.Acm.AcmStatusesAsync(AlertId, default));
        Assert.Equal(1, Assert.Single(h.PeersRefused.GetMeasurementSnapshot()).Value);
    }
}
