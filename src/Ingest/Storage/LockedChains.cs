namespace EdgeTwin.Ingest.Storage;

/// <summary>The chain rows a write session locked, and which of them it changed.</summary>
internal sealed class LockedChains
{
    private readonly Dictionary<ChainId, ChainRow> _rows = [];
    private readonly HashSet<ChainId> _dirty = [];

    public IEnumerable<ChainRow> Dirty => _dirty.Select(id => _rows[id]);

    public void Loaded(ChainRow row, bool isNew)
    {
        _rows[row.Id] = row;
        if (isNew)
        {
            _dirty.Add(row.Id);
        }
    }

    public bool Has(ChainId id) => _rows.ContainsKey(id);

    public ChainRow Get(ChainId id) =>
        _rows.TryGetValue(id, out var row) ? row : throw new InvalidOperationException($"Chain {id} was not locked by this session.");

    public void Set(ChainRow row)
    {
        _ = Get(row.Id);
        _rows[row.Id] = row;
        _dirty.Add(row.Id);
    }
}
