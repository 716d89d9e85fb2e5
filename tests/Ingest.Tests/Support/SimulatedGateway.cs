namespace EdgeTwin.Ingest.Tests.Support;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// Stands in for a gateway until the real one is wired end to end: real signed ETP/1 chains from the
/// Telemetry <see cref="ChainWriter"/>, and an outbox that keeps every record until a receipt covers it
/// (DESIGN decision 4), so resending after a lost worker is the gateway's job, as in production.
/// </summary>
internal sealed class SimulatedGateway : IDisposable
{
    private readonly object _gate = new();
    private readonly List<ChainRecord> _outbox = [];
    private readonly Dictionary<Lane, long> _receipted = new() { [Lane.Telemetry] = -1, [Lane.Alarm] = -1 };
    private int _n;

    public SimulatedGateway(string site, string gw, DateTimeOffset now, GatewayKey? key = null, CheckpointPolicy? policy = null)
    {
        Site = site;
        Gw = gw;
        Key = key ?? GatewayKey.Generate();
        policy ??= new CheckpointPolicy { MaxRecords = 16, MaxDelay = TimeSpan.FromSeconds(1) };
        Telemetry = ChainWriter.StartNew(gw, Lane.Telemetry, Key, policy, GenesisReason.FirstStart, "sim-1", now, ClockQuality.Synced, out var g1);
        Alarm = ChainWriter.StartNew(gw, Lane.Alarm, Key, policy, GenesisReason.FirstStart, "sim-1", now, ClockQuality.Synced, out var g2);
        _outbox.Add(g1);
        _outbox.Add(g2);
        All.Add(g1);
        All.Add(g2);
    }

    public string Site { get; }

    public string Gw { get; }

    public GatewayKey Key { get; }

    public string Patient => $"p-{Gw}";

    public ChainWriter Telemetry { get; }

    public ChainWriter Alarm { get; }

    /// <summary>Every record ever produced, in order.</summary>
    public List<ChainRecord> All { get; } = [];

    public int OutboxCount
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Count;
            }
        }
    }

    public static string Topic(string prefix, string site, string gw, Lane lane) =>
        $"{prefix}/{site}/{gw}/{(lane == Lane.Alarm ? "alarm" : "telemetry")}";

    /// <summary>Produces heart-rate observations (and the checkpoints they make due) and returns them.</summary>
    public List<ChainRecord> ProduceObs(int count, DateTimeOffset now)
    {
        var produced = new List<ChainRecord>();
        for (var i = 0; i < count; i++)
        {
            var v = 60 + (_n++ % 40);
            produced.Add(Telemetry.AppendObs(new ObsBody(Patient, $"{Gw}-mon", "loinc:8867-4", "/min", now, 0, [v]), now, ClockQuality.Synced));
            if (Telemetry.CheckpointIfDue(now, ClockQuality.Synced) is { } cp)
            {
                produced.Add(cp);
            }
        }

        Keep(produced);
        return produced;
    }

    public List<ChainRecord> ProduceAlarm(DateTimeOffset now)
    {
        var produced = new List<ChainRecord>
        {
            Alarm.AppendAlarm(new AlarmBody(Patient, $"{Gw}-mon", "high", "hr-high", "raised", "rule", 140, "HR high"), now, ClockQuality.Synced),
        };
        if (Alarm.CheckpointIfDue(now, ClockQuality.Synced) is { } cp)
        {
            produced.Add(cp);
        }

        Keep(produced);
        return produced;
    }

    /// <summary>Forced checkpoints on both lanes (a graceful stop), so everything can be verified.</summary>
    public List<ChainRecord> Seal(DateTimeOffset now)
    {
        var produced = new[] { Telemetry.Checkpoint(now, ClockQuality.Synced), Alarm.Checkpoint(now, ClockQuality.Synced) }
            .OfType<ChainRecord>().ToList();
        Keep(produced);
        return produced;
    }

    public void OnReceipt(Lane lane, string epoch, long seq)
    {
        var writer = lane == Lane.Alarm ? Alarm : Telemetry;
        if (epoch != writer.State.Epoch)
        {
            return;
        }

        lock (_gate)
        {
            _receipted[lane] = Math.Max(_receipted[lane], seq);
            _outbox.RemoveAll(r => r.Lane == lane && r.Seq <= seq);
        }
    }

    public long ReceiptedThrough(Lane lane)
    {
        lock (_gate)
        {
            return _receipted[lane];
        }
    }

    /// <summary>What a gateway would resend: everything not yet receipted.</summary>
    public List<ChainRecord> Unreceipted()
    {
        lock (_gate)
        {
            return [.. _outbox];
        }
    }

    public void Dispose() => Key.Dispose();

    private void Keep(List<ChainRecord> produced)
    {
        lock (_gate)
        {
            _outbox.AddRange(produced);
            All.AddRange(produced);
        }
    }
}
