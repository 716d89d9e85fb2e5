namespace EdgeTwin.Integration.Tests.Support;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The figures of one in-process host (gateway or ingest): its instruments, those of the meters its own
/// <see cref="IMeterFactory"/> made, read as they are recorded. Its <c>/metrics</c> is no good for that
/// while another host of the same kind runs in the test process: OpenTelemetry takes every meter of a
/// name, merges instruments of one name into one stream (the other host's counts show in this one's),
/// and ends the stream when the other host's meter is disposed (the figure then disappears).
/// Counters are summed from when this starts; an observable instrument gives its latest value.
/// </summary>
internal sealed class OwnMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _figures = new();

    public OwnMeter(IServiceProvider services, params string[] instruments)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = Key(instrument.Name, tags);
            if (instrument.IsObservable)
            {
                _figures[key] = value;
            }
            else
            {
                _figures.AddOrUpdate(key, value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    /// <summary>The figure of <paramref name="instrument"/> now (0 when nothing was recorded), for one <c>outcome</c> tag or without tags.</summary>
    public long this[string instrument, string? outcome = null]
    {
        get
        {
            _listener.RecordObservableInstruments();
            return _figures.GetValueOrDefault(outcome is null ? instrument : $"{instrument}|{outcome}");
        }
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(string instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "outcome")
            {
                return $"{instrument}|{tag.Value}";
            }
        }

        return instrument;
    }
}
