namespace EdgeTwin.Drivers.Tests.Support;

/// <summary>Awaits a condition another task brings about, with a timeout instead of a fixed sleep.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            try
            {
                await Task.Delay(2, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }
        }
    }
}
