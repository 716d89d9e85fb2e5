namespace EdgeTwin.Bench.Ingest;

using System.Buffers;
using System.Diagnostics;
using EdgeTwin.Telemetry.Receipts;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// "Verified", seen from outside the workers: a subscriber to every bench gateway's receipt topic
/// (PROTOCOL §7: a worker publishes one after the commit that stored and verified a chain through
/// <c>seq</c>). The first receipt naming a seq at or past a record marks it verified at that
/// receipt's arrival; receipts from two workers may come out of order, so only a higher seq counts.
/// A receipt whose hash is not the bench's own record's at its seq, or that covers a record the bench
/// has not published yet, is counted as wrong (the run then fails).
/// </summary>
internal sealed class ReceiptWatch : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Dictionary<string, PacedChain> _chains;
    private readonly long _obsRecords;
    private readonly TaskCompletionSource _allVerified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _verifiedObs;
    private long _receipts;
    private long _wrong;

    private ReceiptWatch(IReadOnlyList<PacedChain> chains)
    {
        _chains = chains.ToDictionary(c => c.Gw, StringComparer.Ordinal);
        _obsRecords = chains.Sum(c => c.IsObs.Count(o => o));
        _client.ApplicationMessageReceivedAsync += e =>
        {
            OnReceipt(Stopwatch.GetTimestamp(), e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when a receipt has covered every obs record of every chain.</summary>
    public Task AllVerified => _allVerified.Task;

    public long VerifiedObs => Interlocked.Read(ref _verifiedObs);

    public long Receipts => Interlocked.Read(ref _receipts);

    /// <summary>Receipts that name another hash than the bench's record at their seq, do not parse, or cover a record not yet published.</summary>
    public long Wrong => Interlocked.Read(ref _wrong);

    public static async Task<ReceiptWatch> StartAsync(int brokerPort, IReadOnlyList<PacedChain> chains)
    {
        var watch = new ReceiptWatch(chains);
        await watch._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort)
            .WithClientId($"bench-receipts-{Guid.NewGuid():N}"[..30]).WithCleanSession(true).Build()).ConfigureAwait(false);
        var result = await watch._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"edgetwin/v1/{PacedChain.Site}/+/receipt", MqttQualityOfServiceLevel.AtLeastOnce).Build()).ConfigureAwait(false);
        if (result.Items.Any(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
        {
            throw new InvalidOperationException("the broker refused the receipt subscription: " + string.Join(", ", result.Items.Select(i => i.ResultCode)));
        }

        return watch;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions()).ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private void OnReceipt(long at, byte[] payload)
    {
        Interlocked.Increment(ref _receipts);
        if (!Receipt.TryParse(payload, out var receipt, out _) || !_chains.TryGetValue(receipt!.Gw, out var chain) || receipt.Lane != "telemetry")
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
