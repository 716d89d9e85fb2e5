namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Tests.Support;

/// <summary>
/// The tests' broker fixture takes another port when the free one it picked was taken before
/// mosquitto bound it, instead of passing another listener on that port off as its own.
/// </summary>
public sealed class MosquittoFixtureTests
{
    [Fact]
    public async Task PortTakenBeforeItBinds_StartsOnAnotherPort_AndServesThere()
    {
        var first = new MosquittoFixture();
        await first.InitializeAsync();
        var second = new MosquittoFixture(1000, firstPort: first.Port);
        try
        {
            await second.InitializeAsync();

            Assert.NotEqual(first.Port, second.Port);
            await using var client = await TestMqttClient.ConnectAsync(second.Port);
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }
}
