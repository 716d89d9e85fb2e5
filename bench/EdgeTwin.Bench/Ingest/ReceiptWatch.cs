namespace EdgeTwin.Bench.Ingest;

using EdgeTwin.Telemetry.Receipts;

/// <summary>
/// "Verified", seen from outside the workers: a subscriber to every bench gateway's receipt topic
/// (PROTOCOL §7: a worker publishes one after the commit that stored and verified a chain through
/// <c>seq</c>). The first receipt naming a seq at or past a record marks it verified at that
/// receipt's arrival; receipts from two workers may come out of order, so only a higher seq counts.
/// A receipt whose hash is not the bench's own record's at its seq, or that covers a record the bench
/// has not published yet, is counted as wrong (the run then fails). It subscribes with the bench's
/// own minimal MQTT 3.1.1 client (<see cref="Qos1Subscriber"/> says why not MQTTnet's).
/// </summary>
internal sealed class ReceiptWatch : IAsyncDisposable
{
    private readonly Dictionary<string, PacedChain> _chains;
    private readonly long _obsRecords;
    private readonly TaskCompletionSource _allVerified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Qos1Subscriber? _subscriber;
    private long _verifiedObs;
    private long _receipts;
    private long _wrong;

    private ReceiptWatch(IReadOnlyList<PacedChain> chains)
    {
        _chains = chains.ToDictionary(c => c.Gw, StringComparer.Ordinal);
        _obsRecords = chains.Sum(c => c.IsObs.Count(o => o));
    }

    /// <summary>The seqs the receipts seen cover, over all chains (each chain's highest receipted seq + 1), as the ledger's <c>receipted_through + 1</c>.</summary>
    public long ReceiptedSeqs => _chains.Values.Sum(c =>
    {
        lock (c)
        {
            return c.Receipted + 1;
        }
    });

    /// <summary>How the watch lost its connection to the broker (null while connected): the run's receipts after it were not seen.</summary>
    public string? Lost => _subscriber?.Failure is { } failure ? $"after {Receipts:N0} receipts ({failure})" : null;

    /// <summary>Completes when a receipt has covered every obs record of every chain.</summary>
    public Task AllVerified => _allVerified.Task;

    public long VerifiedObs => Interlocked.Read(ref _verifiedObs);

    public long Receipts => Interlocked.Read(ref _receipts);

    /// <summary>Receipts that name another hash than the bench's record at their seq, do not parse, or cover a record not yet published.</summary>
    public long Wrong => Interlocked.Read(ref _wrong);

    public static async Task<ReceiptWatch> StartAsync(int brokerPort, IReadOnlyList<PacedChain> chains)
    {
        var watch = new ReceiptWatch(chains);
        watch._subscriber = await Qos1Subscriber.ConnectAsync(brokerPort, $"bench-receipts-{Guid.NewGuid():N}"[..30],
            $"edgetwin/v1/{PacedChain.Site}/+/receipt", watch.OnReceipt).ConfigureAwait(false);
        return watch;
    }

    public ValueTask DisposeAsync()
    {
        _subscriber?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnReceipt(long at, ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _receipts);
        if (!Receipt.TryParse(payload.Span, out var receipt, out _) || !_chains.TryGetValue(receipt!.Gw, out var chain) || receipt.Lane != "telemetry")
        {
            Interlocked.Increment(ref _wrong);
            return;
        }

        lock (chain)
        {
            if (!chain.HashIs(receipt.Seq, receipt.Hash))
            {
                Interlocked.Increment(ref _wrong);
                return;
            }

            for (var seq = chain.Receipted + 1; seq <= receipt.Seq; seq++)
            {
                if (Volatile.Read(ref chain.PublishedAt[seq]) == 0)
                {
                    Interlocked.Increment(ref _wrong);
                }

                chain.VerifiedAt[seq] = at;
                if (chain.IsObs[seq] && Interlocked.Increment(ref _verifiedObs) == _obsRecords)
                {
                    _allVerified.TrySetResult();
                }
            }

            chain.Receipted = Math.Max(chain.Receipted, receipt.Seq);
        }
    }
}
