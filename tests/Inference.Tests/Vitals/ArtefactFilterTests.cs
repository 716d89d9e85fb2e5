namespace EdgeTwin.Inference.Tests.Vitals;

using EdgeTwin.Inference.Vitals;
using static EdgeTwin.Inference.Tests.VitalFixture;

public class ArtefactFilterTests
{
    private readonly ArtefactFilter _filter = new(new ArtefactOptions());

    [Fact]
    public void SuddenFall_IsInvalidUntilBackWithinReach()
    {
        double?[] values = [97, 97, 74, 78, 71, 95, 96];

        var filtered = values.Select((v, s) => _filter.Filter(At(Spo2, Start.AddSeconds(s), v)).Value).ToArray();

        Assert.Equal([97, 97, null, null, null, 95, 96], filtered);
    }

    [Fact]
    public void GradualDesaturation_IsBelieved()
    {
        var filtered = Enumerable.Range(0, 40).Select(s => _filter.Filter(At(Spo2, Start.AddSeconds(s), 97 - (s * 0.3))).Value).ToArray();

        Assert.All(filtered, v => Assert.NotNull(v));
    }

    [Fact]
    public void LowLevelHeldLongerThanTheLimit_IsBelievedAfterAll()
    {
        _filter.Filter(At(Spo2, Start, 97));
        var filtered = Enumerable.Range(1, 40).Select(s => _filter.Filter(At(Spo2, Start.AddSeconds(s), 80)).Value).ToArray();

        // The episode starts at 1 s; at 31 s it has lasted the 30 s limit.
        Assert.All(filtered[..30], v => Assert.Null(v));
        Assert.All(filtered[30..], v => Assert.Equal(80, v));
    }

    [Fact]
    public void FallAfterAGap_IsJudgedPerSecondOfGap()
    {
        _filter.Filter(At(Spo2, Start, 97));

        Assert.Equal(85, _filter.Filter(At(Spo2, Start.AddSeconds(5), 85)).Value);
    }

    [Fact]
    public void OtherStreamsDevicesAndDisabledFilter_PassUnchanged()
    {
        _filter.Filter(At(Spo2, Start, 97));

        Assert.Equal(30, _filter.Filter(At(Hr, Start.AddSeconds(1), 30)).Value);
        Assert.Equal(75, _filter.Filter(At(Spo2, Start.AddSeconds(1), 75, device: "mon-2")).Value);
        Assert.Null(_filter.Filter(At(Spo2, Start.AddSeconds(1), null)).Value);
        Assert.Equal(75, new ArtefactFilter(new ArtefactOptions { Enabled = false }).Filter(At(Spo2, Start, 75)).Value);
    }
}
