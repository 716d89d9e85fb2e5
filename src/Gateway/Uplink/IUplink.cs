namespace EdgeTwin.Gateway.Uplink;

/// <summary>
/// What other parts of the gateway (the twin) may do with the broker link besides records:
/// keep a retained document published, and receive messages on a subtopic of this gateway.
/// </summary>
internal interface IUplink
{
    bool IsConnected { get; }

    /// <summary>
    /// Publishes <paramref name="payload"/> retained (QoS 1) on <c>{prefix}/{site}/{gw}/{subtopic}</c> now
    /// if connected, and again after each reconnect; a later call for the same subtopic replaces it.
    /// </summary>
    void SetRetained(string subtopic, ReadOnlyMemory<byte> payload);

    /// <summary>Subscribes (QoS 1) to <c>{prefix}/{site}/{gw}/{subtopic}</c>; call before the host starts. Handlers must not block.</summary>
    void Subscribe(string subtopic, Func<ReadOnlyMemory<byte>, CancellationToken, Task> handler);
}
