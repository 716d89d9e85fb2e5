namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Text;

/// <summary>
/// Publishes the <see cref="PacedChain"/>s on their schedule: one thread walks every record in order of
/// its publish time (a gateway's records in seq order), hands each one due to MQTT at QoS 1 without
/// waiting for its PUBACK (as a gateway's uplink keeps many in flight), stamping
/// <see cref="PacedChain.PublishedAt"/> just before, writes each connection's burst, and sleeps a
/// millisecond while the next is ahead. A gateway always goes through the same one of a few
/// connections (<see cref="Qos1Connection"/>), so its records reach the broker in order. It sleeps
/// rather than spins (the workers and PostgreSQL need the cores), so a record goes up to about a
/// millisecond after its time; how far behind the schedule it went is kept (<see cref="LateMs"/>).
/// </summary>
internal sealed class PacedPublisher : IDisposable
{
    private readonly Qos1Connection[] _connections;
    private readonly IReadOnlyList<PacedChain> _chains;
    private readonly byte[][] _topics;
    private readonly (long At, int Chain, int Seq)[] _schedule;

    private PacedPublisher(Qos1Connection[] connections, IReadOnlyList<PacedChain> chains)
    {
        _connections = connections;
        _chains = chains;
        _topics = [.. chains.Select(c => Encoding.UTF8.GetBytes(c.Topic))];
        _schedule = [.. chains.SelectMany((c, i) => Enumerable.Range(0, c.Count).Select(seq => (c.PublishTicks[seq], i, seq)))];
        Array.Sort(_schedule);
    }

    public long Sent => _connections.Sum(c => c.Sent);

    public long Acked => _connections.Sum(c => c.Acked);

    /// <summary>Why a connection failed (its unacknowledged publishes are lost), or null.</summary>
    public string? Failure => _connections.Select(c => c.Failure).FirstOrDefault(f => f is not null);

    /// <summary>How late each record went against its publish time, ms, by schedule position (filled by <see cref="Run"/>).</summary>
    public double[] LateMs { get; private set; } = [];

    public static PacedPublisher Connect(int brokerPort, int connections, IReadOnlyList<PacedChain> chains) =>
        new([.. Enumerable.Range(0, Math.Min(connections, chains.Count)).Select(i => Qos1Connection.Connect(brokerPort, $"bench-publisher-{i}-{Guid.NewGuid():N}"[..30]))], chains);

    /// <summary>Publishes everything on schedule from the <see cref="Stopwatch"/> timestamp <paramref name="start"/>; returns when the last record was written.</summary>
    public void Run(long start)
    {
        var late = new double[_schedule.Length];
        for (var i = 0; i < _schedule.Length; i++)
        {
            var (at, c, seq) = _schedule[i];
            var due = start + (at * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
            if (Stopwatch.GetTimestamp() < due)
            {
                Array.ForEach(_connections, connection => connection.Flush());
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }
            }

            var chain = _chains[c];
            var stamp = Stopwatch.GetTimestamp();
            Volatile.Write(ref chain.PublishedAt[seq], stamp);
            late[i] = (stamp - due) * 1000.0 / Stopwatch.Frequency;
            _connections[c % _connections.Length].Publish(_topics[c], chain.Payload(seq).Span);
        }

        Array.ForEach(_connections, connection => connection.Flush());
        LateMs = late;
    }

    public void Dispose() => Array.ForEach(_connections, connection => connection.Dispose());
}
