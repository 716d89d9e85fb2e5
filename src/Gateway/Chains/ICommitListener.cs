namespace EdgeTwin.Gateway.Chains;

using EdgeTwin.Outbox;

/// <summary>Told about records once they are on disk (the uplink's live queue). Must not block.</summary>
internal interface ICommitListener
{
    void OnCommitted(IReadOnlyList<StoredRecord> records);
}
