namespace EdgeTwin.Ingest.Processing;

/// <summary>
/// How much of what arrives set aside (malformed, forged, unenrolled, a fork, ...) one worker keeps as
/// evidence: anyone may publish on the broker, and without a bound each message would be a row of
/// evidence and, for many problems, an alert, for as long as someone cares to publish (the disk of the
/// cloud filled by noise). Two token buckets, refilled evenly over a minute: one per gateway name of the
/// topic (<c>Ingest:EvidencePerGatewayPerMinute</c>) and one for the worker (<c>Ingest:EvidencePerMinute</c>),
/// which bounds names made up by the thousand. A message beyond either is not kept: counted
/// (<c>edgetwin_ingest_evidence_dropped</c>) and said by an <c>evidence-over-budget</c> alert at most once a
/// minute per gateway (and once for the worker). Thread-safe: the worker's store lanes share it.
/// </summary>
internal sealed class EvidenceBudget
{
    /// <summary>Gateway names tracked at most; beyond, the names not yet tracked share one bucket.</summary>
    public const int MaxGateways = 10_000;

    /// <summary>The key of the bucket names share beyond <see cref="MaxGateways"/>, and of the worker's alert.</summary>
    public const string Others = "*";

    // A full table is scanned for entries to let go at most once a second: names made up faster than buckets
    // refill would otherwise cost a scan of every tracked name per message.
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _gateways = new(StringComparer.Ordinal);
    private readonly int _perGateway;
    private readonly int _perWorker;
    private Bucket _worker;
    private DateTimeOffset _bucketsPrunable = DateTimeOffset.MinValue;

    /// <param name="perGatewayPerMinute">evidence kept per gateway name and minute (0: no bound)</param>
    /// <param name="perMinute">evidence kept by the worker per minute (0: no bound)</param>
    public EvidenceBudget(int perGatewayPerMinute, int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perGatewayPerMinute);
        ArgumentOutOfRangeException.ThrowIfNegative(perMinute);
        _perGateway = perGatewayPerMinute;
        _perWorker = perMinute;
        _worker = new Bucket(perMinute, DateTimeOffset.MinValue);
    }

    public enum Verdict
    {
        /// <summary>Kept: a token taken from the gateway's bucket and from the worker's.</summary>
        Keep,

        /// <summary>The gateway's bucket is empty.</summary>
        OverGateway,

        /// <summary>The worker's bucket is empty.</summary>
        OverWorker,
    }

    public int PerGatewayPerMinute => _perGateway;

    public int PerMinute => _perWorker;

    /// <summary>Gateway names tracked now (at most <see cref="MaxGateways"/> and the shared one).</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _gateways.Count;
            }
        }
    }

    /// <summary>Whether one more message of <paramref name="gw"/> set aside at <paramref name="now"/> is kept; takes its tokens if so.</summary>
    public Verdict Take(string gw, DateTimeOffset now) => Take(gw, now, out _);

    /// <summary>
    /// As <see cref="Take(string, DateTimeOffset)"/>; <paramref name="bucket"/> is the gateway bucket a token came
    /// from (null: none, or nothing taken), for <see cref="Return"/>.
    /// </summary>
    public Verdict Take(string gw, DateTimeOffset now, out string? bucket)
    {
        bucket = null;
        lock (_gate)
        {
            var key = _perGateway == 0 ? null : KeyOf(gw, now);
            var mine = key is null ? default : Refilled(_gateways[key], _perGateway, now);
            if (key is not null)
            {
                _gateways[key] = mine;
            }

            _worker = _perWorker == 0 ? _worker : Refilled(_worker, _perWorker, now);
            if (key is not null && mine.Tokens < 1)
            {
                return Verdict.OverGateway;
            }

            if (_perWorker != 0 && _worker.Tokens < 1)
            {
                return Verdict.OverWorker;
            }

            if (key is not null)
            {
                _gateways[key] = mine with { Tokens = mine.Tokens - 1 };
            }

            if (_perWorker != 0)
            {
                _worker = _worker with { Tokens = _worker.Tokens - 1 };
            }

            bucket = key;
            return Verdict.Keep;
        }
    }

    /// <summary>
    /// Gives back the tokens of a <see cref="Verdict.Keep"/> whose evidence was not stored after all (its
    /// transaction rolled back; the retry takes them again): the gateway's bucket (<paramref name="bucket"/>,
    /// when it is still tracked) and the worker's, each up to its size.
    /// </summary>
    public void Return(string? bucket)
    {
        lock (_gate)
        {
            if (bucket is not null && _gateways.TryGetValue(bucket, out var b))
            {
                _gateways[bucket] = b with { Tokens = Math.Min(_perGateway, b.Tokens + 1) };
            }

            if (_perWorker != 0)
            {
                _worker = _worker with { Tokens = Math.Min(_perWorker, _worker.Tokens + 1) };
            }
        }
    }

    /// <summary>
    /// When an over-budget alert is due, by key: a gateway, or <see cref="Others"/> for the worker's bucket; the
    /// first, then at most one a minute.
    /// </summary>
    public AlertThrottle Alerts { get; } = new(TimeSpan.FromMinutes(1), MaxGateways, Others);

    private string KeyOf(string gw, DateTimeOffset now)
    {
        if (_gateways.ContainsKey(gw))
        {
            return gw;
        }

        if (_gateways.Count >= MaxGateways && now >= _bucketsPrunable)
        {
            // A bucket that has filled up again is the same as none: let those go first.
            _bucketsPrunable = now + PruneEvery;
            foreach (var full in _gateways.Where(g => g.Key != Others && Refilled(g.Value, _perGateway, now).Tokens >= _perGateway).Select(g => g.Key).ToList())
            {
                _gateways.Remove(full);
            }
        }

        if (_gateways.Count >= MaxGateways)
        {
            gw = Others;
            if (_gateways.ContainsKey(gw))
            {
                return gw;
            }
        }

        _gateways[gw] = new Bucket(_perGateway, now);
        return gw;
    }

    private static Bucket Refilled(Bucket b, int perMinute, DateTimeOffset now)
    {
        if (now <= b.At)
        {
            return b;
        }

        var added = b.At == DateTimeOffset.MinValue ? perMinute : (now - b.At).TotalMinutes * perMinute;
        return new Bucket(Math.Min(perMinute, b.Tokens + added), now);
    }

    private readonly record struct Bucket(double Tokens, DateTimeOffset At);
}
