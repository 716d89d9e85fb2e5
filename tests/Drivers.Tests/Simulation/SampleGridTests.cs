namespace EdgeTwin.Drivers.Tests.Simulation;

using EdgeTwin.Drivers.Scheduling;

public class SampleGridTests
{
    [Theory]
    [InlineData(250.0)]
    [InlineData(360.0)]
    [InlineData(500.0)]
    public void AfterAYear_TheGridIsStillExactToTheTick(double rate)
    {
        var index = (long)(rate * 365 * 86_400);

        Assert.Equal(TimeSpan.FromDays(365), SampleGrid.Offset(index, rate));
        Assert.Equal(TimeSpan.FromDays(365) + TimeSpan.FromTicks((long)Math.Round(1e7 / rate)), SampleGrid.Offset(index + 1, rate));
    }

    [Fact]
    public void FractionalRate_FallsBackToRounding()
    {
        Assert.Equal(TimeSpan.FromTicks(400_000), SampleGrid.Offset(1, 25.0));
        Assert.Equal(TimeSpan.FromTicks(80_000_000), SampleGrid.Offset(10, 1.25));
    }
}
