namespace EdgeTwin.Gateway.Uplink;

using System.Collections.Concurrent;
using System.Text.Json;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Runtime;
using EdgeTwin.Hosting;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;

/// <summary>
/// What the cloud says back over the broker, and what the gateway does about it: signed receipts free
/// records, signed re-send requests and the re-send timer put held records back in the publish queue.
/// Only statements <see cref="StatementGate"/> accepts (a listed ingest key, this gateway's chain, the
/// hash of the record held) change anything; every other one is counted and logged (throttled).
/// </summary>
internal sealed class CloudStatements(
    ChainBook book,
    RetentionRequests retention,
    PublishQueue queue,
    ResendScheduler resend,
    StatementGate gate,
    RetiredChains retired,
    UplinkOptions options,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger logger)
{
    private static readonly Lane[] Lanes = [Lane.Telemetry, Lane.Alarm];
    private readonly ChainBook _book = book;
    private readonly RetentionRequests _retention = retention;
    private readonly PublishQueue _queue = queue;
    private readonly ResendScheduler _resend = resend;
    private readonly StatementGate _gate = gate;
    private readonly RetiredChains _retired = retired;
    private readonly UplinkOptions _options = options;
    private readonly TimeProvider _time = time;
    private readonly GatewayMetrics _metrics = metrics;
    private readonly ILogger _logger = logger;
    private readonly LogThrottle _throttle = new(time, TimeSpan.FromSeconds(10));

    /// <summary>The creation time of each lane's oldest record at the last read (<see cref="OldestUnreceiptedAge"/>).</summary>
    private readonly ConcurrentDictionary<Lane, DateTimeOffset> _oldestRead = new();

    /// <summary>
    /// A receipt frees records only when <see cref="StatementGate"/> accepts it: signed by a listed
    /// ingest key, for this gateway's current chain, with the hash of the record held at its seq.
    /// A repeat of a receipt already acted on (its record is gone) is ignored quietly.
    /// </summary>
    public void OnReceipt(ReadOnlySpan<byte> payload)
    {
        var problem = _gate.CheckReceipt(payload, out var receipt, out var lane);
        if (problem == StatementProblems.UnknownEpoch)
        {
            // Signed by a listed ingest key for this gateway: perhaps for a chain a key rotation retired.
            problem = _retired.OnReceipt(receipt!);
            if (problem is null)
            {
                _metrics.Receipt();
                return;
            }
        }

        if (problem is null)
        {
            _metrics.Receipt();
            _resend.Receipted(lane, receipt!.Seq);
            _retention.DeleteThrough(lane, receipt.Seq);
            return;
        }

        if (problem == StatementProblems.NotHeld && receipt!.Seq <= _resend.ReceiptedThrough(lane))
        {
            return;
        }

        _metrics.Rejected("receipt", StatementProblems.Kind(problem));
        if (_throttle.ShouldLog("receipt", out var suppressed))
        {
            GatewayLog.ReceiptRejected(_logger, problem, suppressed);
        }
    }

    /// <summary>
    /// A signed re-send request from a listed ingest key: the records held in its range go out again
    /// (behind the backlog, within the re-send budget); records no longer held were receipted or are
    /// covered by a gap statement, and the gap statements held after the range go out again with them.
    /// </summary>
    public void OnResendRequest(ReadOnlySpan<byte> payload)
    {
        var problem = _gate.CheckResend(payload, out var request, out var lane);
        if (problem == StatementProblems.UnknownEpoch && _retired.OnResend(request!))
        {
            return;
        }

        if (problem is null)
        {
            var to = Math.Min(request!.To, _book.Head(lane).Seq);
            if (to <= _resend.ReceiptedThrough(lane))
            {
                return; // all receipted: the ingest has them
            }

            var gaps = GapsCovering(lane, request.From, to, out var heldNone);
            if (heldNone && gaps.Count == 0)
            {
                // Nothing to send, and the ingest would go on asking: say so (docs/protocol.md §7).
                problem = $"not-held: none of {WireNames.Of(lane)} {request.From}..{to} is held and no gap statement covers it "
                    + "(deleted on the broker's acknowledgement while Uplink:Receipts was off, or receipted by another ingest); the ingest will report it missing";
            }
            else if (_resend.Admit(lane, request.From, to) is { } range)
            {
                _queue.AddResend(lane, range.From, range.To);
                foreach (var gap in range == (request.From, to) ? gaps : GapsCovering(lane, range.From, range.To, out _))
                {
                    _queue.AddResend(lane, gap, gap);
                }

                LogResend(lane, range, "requested");
                return;
            }
            else
            {
                problem = "rate-limited: the re-send budget (Uplink:ResendMaxRecords per Uplink:ResendAfter) is spent";
            }
        }

        _metrics.Rejected("resend", StatementProblems.Kind(problem));
        if (_throttle.ShouldLog("resend", out var suppressed))
        {
            GatewayLog.ResendRejected(_logger, problem, suppressed);
        }
    }

    /// <summary>
    /// Seqs of the gap statements held after <paramref name="to"/> that cover part of [from, to], when
    /// records of it are gone; <paramref name="heldNone"/> when none of its first <c>Scan</c> seqs is held (never said while the
    /// store is closed after a failed write: none found then). Reads at most <c>Scan</c> records each way: this runs under the outbox
    /// lock, and a commit (an alarm's) must not wait long behind it.
    /// </summary>
    private List<long> GapsCovering(Lane lane, long from, long to, out bool heldNone)
    {
        const int Scan = 4096;
        var found = new List<long>();
        var end = Math.Min(to, from + Scan - 1);
        if (!_book.Store.TryRead(lane, from, end, Scan, out var records))
        {
            // Closed after a failed write (the disk full): what it holds is not known now, so the range is
            // taken as asked and read once the store is reopened (an empty read is not "none held").
            heldNone = false;
            return found;
        }

        var held = records.Count;
        heldNone = held == 0;
        if (held == end - from + 1)
        {
            return found;
        }

        foreach (var r in _book.Store.Read(lane, to + 1, to + Scan, Scan))
        {
            if (r.Kind == RecordKinds.Gap && GapRange(r.Payload) is { } g && g.From <= to && g.To >= from)
            {
                found.Add(r.Seq);
            }
        }

        return found;
    }

    private static (long From, long To)? GapRange(byte[] payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var body = doc.RootElement.GetProperty("body");
            return (body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>While connected: records no receipt covered within <c>Uplink:ResendAfter</c> of their publish go out again.</summary>
    public async Task RunResendLoopAsync(CancellationToken ct)
    {
        var tick = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _options.ResendAfter.Ticks / 4));
        while (!ct.IsCancellationRequested)
        {
            await QuietDelay.WaitAsync(_time, tick, ct).ConfigureAwait(false);
            foreach (var lane in Lanes)
            {
                // A receipt through head - 1 means the ingest holds the head: it is the checkpoint that
                // verified the rest, and stays unreceipted only until the next checkpoint covers it.
                if (_resend.Due(lane, _book.Store.MinSeq(lane), _queue.BacklogIdle(lane)) is { } range
                    && !(range.From == range.To && range.To == _book.Head(lane).Seq && _resend.ReceiptedThrough(lane) == range.To - 1))
                {
                    _queue.AddResend(lane, range.From, range.To);
                    LogResend(lane, range, "no receipt within Uplink:ResendAfter");
                }
            }
        }
    }

    private void LogResend(Lane lane, (long From, long To) range, string reason)
    {
        if (_throttle.ShouldLog("resending", out var suppressed))
        {
            GatewayLog.Resending(_logger, WireNames.Of(lane), range.From, range.To, reason, suppressed);
        }
    }

    /// <summary>
    /// Now minus the creation time (<c>ts</c>) of the oldest record the lane holds; zero when it holds none.
    /// While the outbox is closed after a failed write (a full disk) nothing can be read and nothing is
    /// deleted: the age goes on from the oldest record last read (zero only when none was read before),
    /// rather than dropping to zero for the episode, as if every record had been receipted.
    /// </summary>
    public TimeSpan OldestUnreceiptedAge(Lane lane)
    {
        var store = _book.Store;
        if (store.MinSeq(lane) is not { } min || !store.TryRead(lane, min, min, 1, out var read) || read is not [var oldest])
        {
            if (store.IsClosed)
            {
                return _oldestRead.TryGetValue(lane, out var held) ? _time.GetUtcNow() - held : TimeSpan.Zero;
            }

            _oldestRead.TryRemove(lane, out _);
            return TimeSpan.Zero;
        }

        try
        {
            using var doc = JsonDocument.Parse(oldest.Payload);
            var ts = DateTimeOffset.Parse(doc.RootElement.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            _oldestRead[lane] = ts;
            return _time.GetUtcNow() - ts;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return TimeSpan.Zero;
        }
    }
}
