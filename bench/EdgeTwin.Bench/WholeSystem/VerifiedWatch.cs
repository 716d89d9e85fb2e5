namespace EdgeTwin.Bench.WholeSystem;

using Npgsql;

/// <summary>
/// Reads the chain's <c>verified_through</c> from the ingest's PostgreSQL database every 100 ms and
/// keeps when each value was first seen: a seq counts as verified at the first reading at or past it
/// (so up to 100 ms late, plus the read).
/// </summary>
internal sealed class VerifiedWatch : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly List<(long Through, long AtMs)> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public VerifiedWatch(string connection, string gw, string lane, string epoch)
    {
        _db = NpgsqlDataSource.Create(connection);
        _loop = Task.Run(() => LoopAsync(gw, lane, epoch));
    }

    public long Through
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count == 0 ? -1 : _seen[^1].Through;
            }
        }
    }

    /// <summary>When <paramref name="seq"/> was first seen verified (Unix ms), or null when not yet.</summary>
    public long? VerifiedAt(long seq)
    {
        lock (_seen)
        {
            var lo = 0;
            var hi = _seen.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_seen[mid].Through >= seq)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo < _seen.Count ? _seen[lo].AtMs : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _db.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync(string gw, string lane, string epoch)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await PollAsync(gw, lane, epoch).ConfigureAwait(false);
                await Task.Delay(100, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(string gw, string lane, string epoch)
    {
        await using var cmd = _db.CreateCommand("SELECT verified_through FROM ingest_chains WHERE gw = $1 AND lane = $2 AND epoch = $3");
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        if (await cmd.ExecuteScalarAsync(_stop.Token).ConfigureAwait(false) is long through)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            lock (_seen)
            {
                if (_seen.Count == 0 || through > _seen[^1].Through)
                {
                    _seen.Add((through, now));
                }
            }
        }
    }
}
