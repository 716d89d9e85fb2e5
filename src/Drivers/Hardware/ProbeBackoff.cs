namespace EdgeTwin.Drivers.Hardware;

using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.Retry;

/// <summary>
/// Re-probe delays for a lost device: 1 s doubling to 60 s, so a loose cable is found again quickly
/// and a removed sensor costs one bus transaction a minute. Runs as Polly's retry (exponential, no
/// jitter: one device, no herd to spread) on the driver's clock.
/// </summary>
internal sealed record ProbeBackoff(TimeSpan First, TimeSpan Max)
{
    public static ProbeBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

    /// <summary>
    /// Runs an attempt until it gives a result <paramref name="again"/> does not refuse, waiting
    /// <see cref="First"/>, twice that, and so on up to <see cref="Max"/> between attempts; an
    /// exception is an attempt that failed too, cancellation ends it.
    /// </summary>
    /// <param name="time">The driver's clock.</param>
    /// <param name="again">Whether a result means "try again" (no device found, no session).</param>
    /// <param name="waiting">Told of each wait (diagnostics, tests).</param>
    /// <typeparam name="T">The attempt's result; annotated as Polly's retry needs it kept whole when trimmed (NativeAOT).</typeparam>
    public ResiliencePipeline<T> Pipeline<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(TimeProvider time, Func<T, bool> again, Action<TimeSpan>? waiting = null) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    ? ex is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested
                    : again(args.Outcome.Result!)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = First,
                MaxDelay = Max,
                OnRetry = args =>
                {
                    waiting?.Invoke(args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}
