namespace EdgeTwin.Mqtt.Tests;

using Microsoft.Extensions.Time.Testing;

public sealed class BrokerReconnectTests
{
    [Fact]
    public async Task FailedAttempts_AreToldWithGrowingJitteredWaits_OnTheInjectedClock_UntilOneSucceeds()
    {
        // The jitter's numbers fixed: Polly's decorrelated jitter may draw a fourth wait shorter than
        // the first (a CI run did: 0.76, 1.66, 2.64, 0.72, 8 s), so only its shape is checked here.
        var (attempts, waits) = await RunAsync(() => 0.5);
        var (_, other) = await RunAsync(() => 0.1);

        Assert.Equal(6, attempts);
        Assert.Equal(5, waits.Count);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromSeconds(8)));
        Assert.True(waits.Zip(waits.Skip(1)).All(p => p.Second > p.First || p.Second == TimeSpan.FromSeconds(8)), $"waits grow: {string.Join(", ", waits)}");
        Assert.NotEqual(waits[0], other[0]); // jittered: other numbers, other waits
    }

    private static async Task<(int Attempts, List<TimeSpan> Waits)> RunAsync(Func<double> randomizer)
    {
        var time = new FakeTimeProvider();
        var waits = new List<TimeSpan>();
        var retried = new SemaphoreSlim(0);
        var reconnect = new BrokerReconnect(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), time, (_, delay) =>
        {
            waits.Add(delay);
            retried.Release();
        }, randomizer);
        var attempts = 0;

        var connecting = reconnect.ConnectAsync(_ => ++attempts < 6 ? throw new IOException("connection refused") : ValueTask.CompletedTask, CancellationToken.None).AsTask();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await retried.WaitAsync(TimeSpan.FromSeconds(10)), "a retry is announced");
            time.Advance(TimeSpan.FromSeconds(60)); // past the longest possible wait
        }

        await connecting.WaitAsync(TimeSpan.FromSeconds(10));
        return (attempts, waits);
    }

    [Fact]
    public async Task Cancelled_StopsTryingAndThrows()
    {
        var reconnect = new BrokerReconnect(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeProvider.System, (_, _) => { });
        using var cts = new CancellationTokenSource();
        var attempts = 0;

        var connecting = reconnect.ConnectAsync(_ =>
        {
            if (++attempts == 3)
            {
                cts.Cancel();
            }

            throw new IOException("connection refused");
        }, cts.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void MaxShorterThanMin_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerReconnect(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeProvider.System, (_, _) => { }));
}
