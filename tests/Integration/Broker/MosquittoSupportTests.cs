namespace EdgeTwin.Integration.Tests.Broker;

using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// The tests' own broker helper: a mosquitto that cannot bind its port is told, not mistaken for the
/// listener already there (which a test would then talk to instead). The constructor relies on it to
/// take another port when the free one it picked was taken before mosquitto bound it.
/// </summary>
public sealed class MosquittoSupportTests
{
    [Fact]
    public void SecondStartOnItsPortWhileTheFirstRuns_Fails_SayingThePortIsInUse_TheFirstServesOn()
    {
        var broker = new Mosquitto();
        var first = System.Diagnostics.Process.GetProcessById(broker.Id!.Value);
        try
        {
            var refused = Assert.Throws<InvalidOperationException>(broker.Start);

            Assert.Contains("Address already in use", refused.Message, StringComparison.Ordinal);
            Assert.Contains($"port {broker.Port}", refused.Message, StringComparison.Ordinal);
            Assert.Equal(first.Id, broker.Id);
            Assert.False(first.HasExited);
        }
        finally
        {
            broker.Dispose();
        }

        // The first is the helper's still, and goes with it (it was left running, one per suite run).
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)), $"mosquitto {first.Id} still running after Dispose");
    }
}
