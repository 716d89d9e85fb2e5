namespace EdgeTwin.Bench.WholeSystem;

using System.Collections.Concurrent;
using System.Text.Json;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// A subscriber on the cloud broker (the harness's <see cref="Capture"/>, a persistent session)
/// that keeps, per telemetry seq, when the record first reached it and the times of the samples it
/// carries (an obs body's <c>t0</c>, <c>dt</c> and the length of <c>v</c>): enough for sample -> broker
/// latency, and with the ingest's verified-through times for sample -> verified. Payloads are not kept.
/// </summary>
internal sealed class RecordTap : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, TappedRecord> _records = new();
    private Capture? _capture;

    public static async Task<RecordTap> StartAsync(int brokerPort, string telemetryTopic)
    {
        var tap = new RecordTap();
        tap._capture = await Capture.StartAsync(brokerPort, telemetryTopic, (_, payload) => tap.OnRecord(payload)).ConfigureAwait(false);
        return tap;
    }

    public TappedRecord? Find(long seq) => _records.TryGetValue(seq, out var r) ? r : null;

    public IEnumerable<(long Seq, TappedRecord Record)> All => _records.Select(p => (p.Key, p.Value));

    public async ValueTask DisposeAsync()
    {
        if (_capture is not null)
        {
            await _capture.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnRecord(byte[] payload)
    {
        var arrived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long seq = -1, samples = 0;
        double t0 = 0, dt = 0;
        var reader = new Utf8JsonReader(payload);
        var depth = 0;
        string? property = null;
        var inValues = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                    depth--;
                    break;
                case JsonTokenType.StartArray:
                    inValues = depth == 2 && property == "v";
                    break;
                case JsonTokenType.EndArray:
                    inValues = false;
                    break;
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                default:
                    if (inValues)
                    {
                        samples++;
                    }
                    else if (depth == 1 && property == "seq")
                    {
                        seq = reader.GetInt64();
                    }
                    else if (depth == 2 && property == "t0")
                    {
                        t0 = reader.GetDateTimeOffset().ToUnixTimeMilliseconds();
                    }
                    else if (depth == 2 && property == "dt")
                    {
                        dt = reader.GetDouble();
                    }

                    break;
            }
        }

        _records.TryAdd(seq, new TappedRecord(arrived, t0, dt, samples));
    }
}

/// <summary>One telemetry record as the tap saw it first: arrival and sample times in Unix milliseconds; <see cref="Samples"/> 0 for a record without samples.</summary>
internal sealed record TappedRecord(long ArrivedMs, double FirstSampleMs, double StepMs, long Samples)
{
    /// <summary>Adds the latency of each sample from its own time to <paramref name="atMs"/>.</summary>
    public void AddLatencies(LatencyHistogram histogram, double atMs)
    {
        for (var i = 0; i < Samples; i++)
        {
            histogram.Add(atMs - (FirstSampleMs + (i * StepMs)));
        }
    }
}
