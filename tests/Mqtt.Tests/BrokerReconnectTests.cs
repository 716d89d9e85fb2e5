namespace EdgeTwin.Mqtt.Tests;

using Microsoft.Extensions.Time.Testing;

public sealed class BrokerReconnectTests
{
    [Fact]
    public async Task FailedAttempts_AreToldWithGrowingJitteredWaits_OnTheInjectedClock_UntilOneSucceeds()
    {
        var time = new FakeTimeProvider();
        var waits = new List<TimeSpan>();
        var retried = new SemaphoreSlim(0);
        var reconnect = new BrokerReconnect(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), time, (_, delay) =>
        {
            waits.Add(delay);
            retried.Release();
        });
        var attempts = 0;

        var connecting = reconnect.ConnectAsync(_ => ++attempts < 6 ? throw new IOException("connection refused") : ValueTask.CompletedTask, CancellationToken.None).AsTask();
        for (var i = 0; i < 5; i++)
        {
            await retried.WaitAsync(TimeSpan.FromSeconds(10));
            time.Advance(TimeSpan.FromSeconds(60)); // past the longest possible wait
        }

        await connecting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(6, attempts);
        Assert.Equal(5, waits.Count);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromSeconds(8)));
        Assert.True(waits[3] > waits[0], $"waits grow: {string.Join(", ", waits)}");
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
