namespace EdgeTwin.Gateway.Runtime;

/// <summary>
/// Runs a blocking loop on a background thread of its own rather than on the thread pool: on a
/// two-core box, pool threads blocked in commits or waits delay everything queued behind them
/// (MQTTnet's PUBACK handling, the alarm path). The task completes with the body's result or exception.
/// </summary>
internal static class OwnThread
{
    public static Task<T> Run<T>(string name, Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
