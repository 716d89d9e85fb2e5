namespace EdgeTwin.Gateway.Runtime;

/// <summary>A wait on the injected clock that ends early, without throwing, when it is cancelled.</summary>
internal static class QuietDelay
{
    public static async Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
