namespace EdgeTwin.Gateway.Status;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using EdgeTwin.Gateway.Diagnostics;

/// <summary>
/// Renders the gateway's own meter in the Prometheus text format for <c>/metrics</c>: counters as
/// totals, histograms as <c>_count</c>/<c>_sum</c>, gauges as sampled at scrape time. Small on
/// purpose; an OpenTelemetry exporter can replace it without touching the instruments.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _values = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), (long Count, double Sum)> _histograms = new();

    public PrometheusExporter(GatewayMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var ((name, tags), value) in _values.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{tags} {value}\n");
        }

        foreach (var ((name, tags), (count, sum)) in _histograms.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}_count{tags} {count}\n{name}_sum{tags} {sum}\n");
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name.Replace('.', '_'), Labels(tags));
        switch (instrument)
        {
            case Histogram<double> or Histogram<long>:
                _histograms.AddOrUpdate(key, (1, value), (_, old) => (old.Count + 1, old.Sum + value));
                break;
            case ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>:
                _values[key] = value;
                break;
            default:
                _values.AddOrUpdate(key, value, (_, old) => old + value);
                break;
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var parts = new List<string>();
        foreach (var (k, v) in tags)
        {
            parts.Add($"{k}=\"{v}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return "{" + string.Join(",", parts) + "}";
    }
}
