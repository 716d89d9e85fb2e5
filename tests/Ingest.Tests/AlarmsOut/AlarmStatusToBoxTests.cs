namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Documents;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// A recorded PCD-05 status put back to the box (Ingest:AlarmsOut:StatusToBox): off by default, only
/// the configured statuses, signed by the ingest key for the alarm's gateway, on its alarm-status topic;
/// retried while the broker is away. The PCD-05 reports come over real loopback MLLP; the broker is a
/// recording publish function that can refuse like a disconnected client.
/// </summary>
public sealed class AlarmStatusToBoxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private const string AlertId = "gw-1.0123456789ab.1";

    [Fact]
    public async Task Off_ByDefault_NothingTaken()
    {
        var o = Options();
        Assert.False(o.AlarmsOut.StatusToBox);
        await using var rig = await Rig.StartAsync(o);
        await rig.ReportAsync("accepted", "AM-1");
        Assert.Equal(0, rig.ToBox.Waiting);
    }

    [Fact]
    public async Task On_OnlyTheConfiguredStatusesTaken_AcceptedByDefault()
    {
        var o = Options(toBox: true);
        await using var rig = await Rig.StartAsync(o);
        await rig.ReportAsync("delivered", "AM-1");
        await rig.ReportAsync("read", "AM-2");
        await rig.ReportAsync("rejected", "AM-3");
        Assert.Equal(0, rig.ToBox.Waiting);
        await rig.ReportAsync("accepted", "AM-4");
        Assert.Equal(1, rig.ToBox.Waiting);
    }

    [Fact]
    public async Task Accepted_BrokerAwayTwice_PublishedOnceItTakesIt_SignedByTheIngestKey_ForTheAlarmsGateway()
    {
        var o = Options(toBox: true);
        o.AlarmsOut.StatusToBoxStatuses = ["accepted, rejected"];
        o.AlarmsOut.RetryDelay = TimeSpan.FromMilliseconds(10);
        o.AlarmsOut.RetryMaxDelay = TimeSpan.FromMilliseconds(20);
        await using var rig = await Rig.StartAsync(o, refuseFirst: 2);
        await rig.ToBox.StartAsync(default);

        await rig.ReportAsync("rejected", "AM-9");
        var (topic, payload) = await rig.Published.Reader.ReadAsync(new CancellationTokenSource(Patience).Token);
        await rig.ToBox.StopAsync(default);

        Assert.Equal(3, rig.Attempts);
        Assert.Equal(1, rig.ToBox.Published);
        Assert.Equal("edgetwin/v1/site-a/gw-1/alarm-status", topic);
        Assert.True(AlarmStatusDocument.TryOpen(payload, "gw-1", [rig.Identity.Address], out var doc, out _, out var problem), problem);
        var stored = Assert.Single(await rig.Harness.Acm.AcmStatusesAsync(AlertId, default));
        Assert.Equal((AlertId, "rejected", "N-4711 Florence Nightingale", stored.Id, stored.At), (doc!.Alert, doc.Status, doc.Who, doc.Seq, doc.At));
        var alert = (await rig.Harness.Acm.AcmAlertAsync(AlertId, default))!;
        Assert.Equal((alert.Patient, alert.Device, alert.Condition), (doc.Patient, doc.Device, doc.Condition));
    }

    [Theory]
    [InlineData("silenced")]
    [InlineData("accepted,cleared")]
    public void StatusToBoxStatuses_NotAnAlertStatus_RefusedNamingTheSetting(string statuses)
    {
        var o = Options(toBox: true);
        o.AlarmsOut.StatusToBoxStatuses = [statuses];
        var result = new IngestOptionsSemanticValidator().Validate(null, o);
        Assert.False(result.Succeeded);
        Assert.Contains("Ingest:AlarmsOut:StatusToBoxStatuses: '", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("is not an alert status (delivered, read, accepted, rejected)", result.FailureMessage, StringComparison.Ordinal);
    }

    private static IngestOptions Options(bool toBox = false)
    {
        var o = new IngestOptions { AlarmManagers = [new AlarmManagerOptions { Name = "pager", Host = "127.0.0.1", Port = 2575 }] };
        o.AlarmsOut.ListenPort = 0;
        o.AlarmsOut.AllowedPeers = ["127.0.0.1"];
        o.AlarmsOut.StatusToBox = toBox;
        return o;
    }

    /// <summary>The harness store with one reported alarm, the listener, the ingest's key, and <see cref="AlarmStatusToBox"/> publishing into a channel.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _keyDirectory = Directory.CreateTempSubdirectory("edgetwin-tobox-key-").FullName;
        private int _attempts;

        private Rig(AlarmsOutHarness harness, int refuseFirst)
        {
            Harness = harness;
            harness.Options.KeyFile = Path.Combine(_keyDirectory, "ingest.key");
            var options = Microsoft.Extensions.Options.Options.Create(harness.Options);
            Identity = new IngestIdentity(options, NullLogger<IngestIdentity>.Instance);
            ToBox = new AlarmStatusToBox(options, harness.Store, Identity, (topic, payload, _) =>
            {
                if (Interlocked.Increment(ref _attempts) <= refuseFirst)
                {
                    return Task.FromResult(false);
                }

                Published.Writer.TryWrite((topic, payload));
                return Task.FromResult(true);
            }, harness.Metrics, TimeProvider.System, NullLogger<AlarmStatusToBox>.Instance);
            Listener = new AlertStatusListener(options, harness.Store, harness.Metrics, TimeProvider.System, NullLogger<AlertStatusListener>.Instance, ToBox);
        }

        public AlarmsOutHarness Harness { get; }

        public IngestIdentity Identity { get; }

        public AlarmStatusToBox ToBox { get; }

        public AlertStatusListener Listener { get; }

        public System.Threading.Channels.Channel<(string Topic, byte[] Payload)> Published { get; } = System.Threading.Channels.Channel.CreateUnbounded<(string, byte[])>();

        public int Attempts => Volatile.Read(ref _attempts);

        public static async Task<Rig> StartAsync(IngestOptions options, int refuseFirst = 0)
        {
            var harness = await AlarmsOutHarness.StartAsync(options);
            await harness.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
            var rig = new Rig(harness, refuseFirst);
            await rig.Listener.StartAsync(default);
            await rig.Listener.Listening.WaitAsync(Patience);
            return rig;
        }

        /// <summary>Sends a PCD-05 report of the alert and checks it was recorded (AA).</summary>
        public async Task ReportAsync(string status, string controlId)
        {
            var report = AlertStatusReportTests.Report(status, obr: $"OBR|1||{AlertId}^EDGETWIN|196616^MDC_EVT_ALARM^MDC", controlId: controlId);
            var ack = await TestAlarmManager.SendAsync(await Listener.Listening, report, Patience);
            Assert.Contains($"\rMSA|AA|{controlId}\r", ack, StringComparison.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            await Listener.StopAsync(default);
            Listener.Dispose();
            ToBox.Dispose();
            Identity.Dispose();
            await Harness.DisposeAsync();
            Directory.Delete(_keyDirectory, recursive: true);
        }
    }
}
