namespace EdgeTwin.Gateway.Twin;

/// <summary>
/// Publishes the reported twin document retained on <c>{prefix}/{site}/{gw}/twin/reported</c>
/// (QoS 1): implemented by the gateway's uplink. Returns false when it cannot publish now
/// (disconnected); the twin keeps the document and tries again.
/// </summary>
internal interface IReportedPublisher
{
    ValueTask<bool> PublishReportedAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken);
}
