namespace EdgeTwin.Integration.Tests.Support;

/// <summary>Waits for a condition with a deadline (polling); fails the test naming what did not happen.</summary>
public static class Wait
{
    public static void Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            Thread.Sleep(25);
        }
    }

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            await Task.Delay(25);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="value"/> until it gives one, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> value, TimeSpan timeout, Func<string> what)
        where T : struct
    {
        T? found = null;
        await UntilAsync(async () => (found = await value()) is not null, timeout, what);
        return found!.Value;
    }
}
