namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// Chain rows that a write session found gone while locking them, for chains the worker held the state of
/// (PostgreSQL: a database restored under a running worker, or a row deleted by hand): the batch is rolled
/// back, and the retry creates the rows and says so (<c>chain-row-lost</c>, docs/ingest.md "Chain state").
/// </summary>
internal sealed class ChainRowVanishedException(IReadOnlyList<ChainId> chains)
    : InvalidOperationException(chains.Count == 1
        ? $"Chain row {chains[0]} vanished while being locked."
        : $"Chain rows {string.Join(", ", chains)} vanished while being locked.")
{
    public IReadOnlyList<ChainId> Chains { get; } = chains;
}
