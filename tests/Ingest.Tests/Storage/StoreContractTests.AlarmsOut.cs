namespace EdgeTwin.Ingest.Tests.Storage;

using System.Text;
using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;

/// <summary>The alarm reporter's queue on every backend: alarm identity across changes, order, durability of status.</summary>
public abstract partial class StoreContractTests
{
    private static readonly ChainId AlarmChain = new("gw-1", "alarm", "0123456789abcdef0123456789abcdef");

    internal static IngestOptions TwoManagers() => new()
    {
        AlarmManagers =
        [
            new AlarmManagerOptions { Name = "pager", Host = "127.0.0.1", Port = 2575 },
            new AlarmManagerOptions { Name = "badges", Host = "127.0.0.1", Port = 2576 },
        ],
    };

    internal static RecordRow AlarmRecord(long seq, string state, string priority, string condition = "spo2-low", string patient = "pt-1", string? body = null) =>
        new(AlarmChain, seq, $"h{seq}", "alarm", "site-a", T0.AddSeconds(seq), patient, null, Encoding.UTF8.GetBytes(
            $$"""{"etp":1,"gw":"gw-1","lane":"alarm","epoch":"{{AlarmChain.Epoch}}","seq":{{seq}},"ts":"{{T0.AddSeconds(seq):yyyy-MM-ddTHH:mm:ss.fffZ}}","kind":"alarm","body":{{body ?? $$"""{"patient":"{{patient}}","device":"sim-bed-1","priority":"{{priority}}","condition":"{{condition}}","state":"{{state}}","source":"rule","value":88,"text":"SpO2 low"}"""}}}"""),
            T0);

    [Fact]
    public async Task AlarmQueue_RaisedEscalatedCleared_OneAlertIdentity_PhasesInOrder_ForEachManager()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        var problems = await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a",
            [AlarmRecord(1, "raised", "medium"), AlarmRecord(3, "raised", "high"), AlarmRecord(5, "cleared", "high")], T0), default);
        Assert.Empty(problems);

        var acm = (IAlarmOutStore)store;
        foreach (var manager in new[] { "pager", "badges" })
        {
            var queued = await acm.AcmOutstandingAsync(manager, 10, default);
            Assert.Equal(["gw-1.0123456789ab.1", "gw-1.0123456789ab.3", "gw-1.0123456789ab.5"], queued.Select(m => m.ControlId));
            var parsed = queued.Select(m => Hl7Message.Parse(m.Message)).ToList();
            Assert.All(parsed, m => Assert.Equal("gw-1.0123456789ab.1", m.Segments.Single(s => s.Id == "OBR").Get(3)));
            Assert.Equal(["start", "escalate", "end"], parsed.Select(m => m.Segments.First(s => s.Id == "OBX" && s.Get(3) == "68481").Get(5)));
            Assert.Equal(["active", "active", "inactive"], parsed.Select(m => m.Segments.First(s => s.Id == "OBX" && s.Get(3) == "68482").Get(5)));
            Assert.Equal(["PM", "PH", "PH"], parsed.Select(m => m.Segments.First(s => s.Id == "OBX" && s.Get(3) == "68484").Get(5)));
        }

        var alert = await acm.AcmAlertAsync("gw-1.0123456789ab.1", default);
        Assert.NotNull(alert);
        Assert.False(alert.Open);
        Assert.Equal(("end", "inactive", 3), (alert.Phase, alert.State, alert.Updates));
    }

    [Fact]
    public async Task AlarmQueue_RaisedAgainAfterClear_OpensANewAlert_AcrossTransactions()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(1, "raised", "medium")], T0), default);
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(2, "acknowledged", "medium"), AlarmRecord(3, "cleared", "medium")], T0), default);
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(4, "raised", "medium")], T0), default);

        var queued = await ((IAlarmOutStore)store).AcmOutstandingAsync("pager", 10, default);
        var parsed = queued.Select(m => Hl7Message.Parse(m.Message)).ToList();
        Assert.Equal(["gw-1.0123456789ab.1", "gw-1.0123456789ab.1", "gw-1.0123456789ab.1", "gw-1.0123456789ab.4"], parsed.Select(m => m.Segments.Single(s => s.Id == "OBR").Get(3)));
        Assert.Equal(["start", "update", "end", "start"], parsed.Select(m => m.Segments.First(s => s.Id == "OBX" && s.Get(3) == "68481").Get(5)));
        Assert.Equal("alert-acknowledged", parsed[1].Segments.First(s => s.Id == "OBX" && s.Get(3) == "68483").Get(5));
    }

    [Fact]
    public async Task AlarmQueue_MalformedAlarmBody_ReportsTheProblem_QueuesNothingForIt()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        var problems = await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a",
            [AlarmRecord(1, "raised", "urgent"), AlarmRecord(2, "raised", "low", body: """{"state":"raised"}""")], T0), default);

        Assert.Equal([(1L, "priority 'urgent' is not high, medium or low"), (2L, "priority '' is not high, medium or low")], problems);
        Assert.Empty(await ((IAlarmOutStore)store).AcmOutstandingAsync("pager", 10, default));
        Assert.Empty(await ((IAlarmOutStore)store).AcmAlertsAsync(null, 10, default));
    }

    [Fact]
    public async Task AcmMessage_AckedIsNoLongerOutstanding_StatusesReadBackInOrder_AfterReopen()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(1, "raised", "medium"), AlarmRecord(2, "cleared", "medium")], T0), default);
        var acm = (IAlarmOutStore)store;
        var head = (await acm.AcmOutstandingAsync("pager", 10, default))[0];
        await acm.UpdateAcmMessageAsync(head with { Status = AcmMessageRow.Acked, Attempts = 2, DoneAt = T0.AddSeconds(9) }, default);
        await acm.AddAcmStatusAsync(new AcmStatusRow(head.AlertId, "delivered", null, T0.AddSeconds(10), T0.AddSeconds(10), "127.0.0.1:5000", "AM-1"), default);
        await acm.AddAcmStatusAsync(new AcmStatusRow(head.AlertId, "accepted", "N-1 Ann", T0.AddSeconds(20), T0.AddSeconds(21), "127.0.0.1:5000", "AM-2"), default);

        await store.DisposeAsync();
        _opened.Remove(store);
        var reopened = (IAlarmOutStore)await ReopenAsync();
        Assert.Equal(["gw-1.0123456789ab.2"], (await reopened.AcmOutstandingAsync("pager", 10, default)).Select(m => m.ControlId));
        Assert.Equal(2, (await reopened.AcmOutstandingAsync("badges", 10, default)).Count);
        var messages = await reopened.AcmMessagesAsync(head.AlertId, default);
        Assert.Equal((AcmMessageRow.Acked, 2), messages.Where(m => m.Manager == "pager" && m.ControlId == head.ControlId).Select(m => (m.Status, m.Attempts)).Single());
        Assert.Equal(head.AlertId, (await reopened.AcmMessageAsync("gw-1.0123456789ab.2", default))!.AlertId);
        var statuses = await reopened.AcmStatusesAsync(head.AlertId, default);
        Assert.Equal([("delivered", (string?)null), ("accepted", "N-1 Ann")], statuses.Select(s => (s.Status, s.Who)));
        Assert.Equal(T0.AddSeconds(20), statuses[1].At);
    }

    [Fact]
    public async Task AlarmQueue_News2AlarmWhoseLatestEvidenceComesFromAnotherDevice_KeepsItsIdentity()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        static string News2(string state, string device) =>
            $$"""{"patient":"pt-1","device":"{{device}}","priority":"high","condition":"news2-high","state":"{{state}}","source":"news2","value":8,"text":"NEWS2 8"}""";
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a",
            [AlarmRecord(1, "raised", "high", body: News2("raised", "monitor-1")), AlarmRecord(2, "cleared", "high", body: News2("cleared", "spot-2"))], T0), default);

        var queued = await ((IAlarmOutStore)store).AcmOutstandingAsync("pager", 10, default);
        var parsed = queued.Select(m => Hl7Message.Parse(m.Message)).ToList();
        Assert.All(parsed, m => Assert.Equal("gw-1.0123456789ab.1", m.Segments.Single(s => s.Id == "OBR").Get(3)));
        Assert.Equal(["start", "end"], parsed.Select(m => m.Segments.First(s => s.Id == "OBX" && s.Get(3) == "68481").Get(5)));
    }

    [Fact]
    public async Task AlarmQueue_BedFromTheReportedTwin_KeptForTheClearAfterADischarge()
    {
        var store = await OpenAsync();
        var queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(TwoManagers()));
        Task Reported(string patients) => store.WriteAsync([AlarmChain], "site-a", async s =>
        {
            await s.SetGatewayAsync(new GatewayRow { Gw = "gw-1", Site = "site-a", Reported = "{\"gw\":\"gw-1\",\"version\":1,\"state\":{\"patients\":" + patients + "}}", ReportedVersion = 1, UpdatedAt = T0 });
            return 0;
        }, default);

        await Reported("""{"pt-1":{"bed":"bed-7"}}""");
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(1, "raised", "medium")], T0), default);
        await Reported("{}"); // discharged: the stay is gone from the twin
        await store.WriteAsync([AlarmChain], "site-a", s => queue.QueueAsync(s, AlarmChain, "site-a", [AlarmRecord(2, "cleared", "medium")], T0), default);

        var queued = await ((IAlarmOutStore)store).AcmOutstandingAsync("pager", 10, default);
        Assert.Equal(["site-a^^bed-7", "site-a^^bed-7"], queued.Select(m => Hl7Message.Parse(m.Message).Segments.Single(s => s.Id == "PV1").Raw(3)));
        Assert.Equal("bed-7", (await ((IAlarmOutStore)store).AcmAlertAsync("gw-1.0123456789ab.1", default))!.Bed);
    }
}
