namespace EdgeTwin.Gateway.Storage;

using EdgeTwin.Outbox;

/// <summary>
/// The outcome of opening the outbox: the store, what happened to a previous one (quarantined as
/// corrupt; lost, when a store was once created here and is gone), and whether a plain one was encrypted.
/// </summary>
internal sealed record OpenedOutbox(OutboxStore Store, bool Existed, string? QuarantinedAs, string? QuarantineReason)
{
    /// <summary>A store was created in this data directory before and its file is gone (the next epoch says store-lost).</summary>
    public bool Lost { get; init; }

    public long? EncryptedDocuments => Store.EncryptedDocuments;
}
