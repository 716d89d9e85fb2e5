namespace EdgeTwin.Gateway.Storage;

using EdgeTwin.Outbox;

/// <summary>The outcome of opening the outbox: the store, what happened to a previous one, and whether a plain one was encrypted.</summary>
internal sealed record OpenedOutbox(OutboxStore Store, bool Existed, string? QuarantinedAs, string? QuarantineReason)
{
    public long? EncryptedDocuments => Store.EncryptedDocuments;
}
