namespace EdgeTwin.Drivers.Tests.Support;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeTwin.Drivers.Diagnostics;

/// <summary>Sums what the drivers' meter counts for one device, by instrument and <c>what</c> (tests run in parallel: other devices are left out).</summary>
internal sealed class DriverMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string What), long> _sums = new();

    public DriverMeterListener(string device)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DriverMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? d = null, what = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "device")
                {
                    d = tag.Value as string;
                }
                else if (tag.Key == "what")
                {
                    what = tag.Value as string;
                }
            }

            if (d == device && what is not null)
            {
                _sums.AddOrUpdate((instrument.Name, what), value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    public long Sum(string instrument, string what) => _sums.GetValueOrDefault((instrument, what));

    public void Dispose() => _listener.Dispose();
}
