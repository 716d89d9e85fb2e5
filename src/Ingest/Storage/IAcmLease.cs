namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// The right to send one alarm manager's queue: held by one worker at a time, so each manager gets
/// its messages once and in order however many workers share the store. Disposing gives it up; a
/// worker that dies loses it with its database session.
/// </summary>
internal interface IAcmLease : IAsyncDisposable
{
    /// <summary>False once the lease is lost (its session broke): stop sending and take it again.</summary>
    Task<bool> StillHeldAsync(CancellationToken ct);
}
