namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Twin;

/// <summary>
/// The reported twin, signed with the gateway key, as the uplink's retained document on
/// <c>twin/reported</c>: the uplink publishes it now if connected and again after every reconnect,
/// a newer one replacing it, so it never refuses.
/// </summary>
internal sealed class UplinkReportedPublisher(IUplink uplink, SignedDocuments documents) : IReportedPublisher
{
    public const string Subtopic = "twin/reported";

    public ValueTask<bool> PublishReportedAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        uplink.SetRetained(Subtopic, documents.Reported(document.Span));
        return ValueTask.FromResult(true);
    }
}
