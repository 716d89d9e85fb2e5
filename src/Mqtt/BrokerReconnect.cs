namespace EdgeTwin.Mqtt;

using Polly;
using Polly.Retry;

/// <summary>
/// How a client of the broker (the gateway's uplink, an ingest worker) tries to connect again: Polly's
/// retry, for ever, exponential from <c>min</c> to <c>max</c> with jitter, so a ward of gateways does
/// not reconnect in lock-step after an outage; on the injected clock, so tests run it on fake time.
/// Each <see cref="ConnectAsync"/> starts from <c>min</c> again: a connection that was up resets it.
/// </summary>
public sealed class BrokerReconnect
{
    private readonly ResiliencePipeline _pipeline;

    /// <param name="min">The first wait.</param>
    /// <param name="max">The longest wait.</param>
    /// <param name="time">The clock the waits run on.</param>
    /// <param name="onRetry">Told of each failed attempt and the wait before the next (for the log).</param>
    /// <param name="randomizer">The jitter's source of numbers in [0, 1) (Polly's own when null; a test fixes it to see the waits' shape).</param>
    public BrokerReconnect(TimeSpan min, TimeSpan max, TimeProvider time, Action<Exception, TimeSpan> onRetry, Func<double>? randomizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentNullException.ThrowIfNull(onRetry);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                Randomizer = randomizer ?? new RetryStrategyOptions().Randomizer,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && (ex is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = min,
                MaxDelay = max,
                OnRetry = args =>
                {
                    onRetry(args.Outcome.Exception!, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Runs <paramref name="connect"/> until it succeeds or <paramref name="cancellationToken"/> is cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    public ValueTask ConnectAsync(Func<CancellationToken, ValueTask> connect, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(connect, cancellationToken);
}
