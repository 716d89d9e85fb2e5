namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;

public sealed class DecimatingSinkTests : IDisposable
{
    private readonly TwinFixture _f = new();
    private readonly List<Sample> _written = [];

    [Fact]
    public async Task DesiredRate_KeepsEveryKthSampleOnAnExactGridAndChangesLive()
    {
        await _f.Controller.StartAsync(CancellationToken.None);
        var sink = new DecimatingSink(new ListSink(_written), _f.Twin);
        var t0 = _f.Time.GetUtcNow();

        await WriteEcgAsync(sink, t0, 0, 8);
        Assert.Null(await _f.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{ "devices": { "mon-1": { "sampleRates": { "mdc:131330": 62.5 } } } }"""), CancellationToken.None));
        await WriteEcgAsync(sink, t0, 8, 16);
        Assert.Null(await _f.Controller.ApplyDesiredAsync(2, DesiredJson.Settings("""{ "devices": { "mon-1": { "sampleRates": { "mdc:131330": 250 } } } }"""), CancellationToken.None));
        await WriteEcgAsync(sink, t0, 16, 18);
        await sink.WriteAsync(new Sample("mon-1", TwinFixture.Hr, t0, 70), CancellationToken.None);

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17], _written.Where(s => s.Stream.Code == "mdc:131330").Select(s => (int)s.Value!.Value));
        Assert.All(_written.Skip(8).Take(2), s => Assert.Equal(62.5, s.Stream.NominalRateHz));
        Assert.Equal(250, _written[10].Stream.NominalRateHz);
        Assert.Equal(TwinFixture.Hr, _written[^1].Stream);
    }

    [Fact]
    public async Task RateAboveNominal_IsRefusedAndChangesNothing()
    {
        await _f.Controller.StartAsync(CancellationToken.None);

        var problem = await _f.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{ "devices": { "mon-1": { "sampleRates": { "mdc:131330": 500 } } } }"""), CancellationToken.None);

        Assert.Equal("out-of-range:devices.mon-1.sampleRates.mdc:131330 (above the nominal 250 Hz)", problem);
        Assert.Empty(_f.Twin.Control.Configuration.Devices);
    }

    public void Dispose() => _f.Dispose();

    private static async Task WriteEcgAsync(DecimatingSink sink, DateTimeOffset t0, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            await sink.WriteAsync(new Sample("mon-1", TwinFixture.Ecg, t0.AddMilliseconds(4 * i), i), CancellationToken.None);
        }
    }

    private sealed class ListSink(List<Sample> samples) : ISampleSink
    {
        public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken)
        {
            samples.Add(sample);
            return ValueTask.CompletedTask;
        }
    }
}
