namespace EdgeTwin.Drivers.Hl7;

/// <summary>
/// The last <see cref="Capacity"/> accepted message control ids, oldest forgotten first: enough to
/// recognise a monitor resending a message whose ACK it lost, in bounded memory.
/// </summary>
internal sealed class RecentMessageIds(int capacity)
{
    private readonly Queue<string> _order = new(capacity);
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public bool Contains(string id) => _ids.Contains(id);

    public void Remember(string id)
    {
        if (!_ids.Add(id))
        {
            return;
        }

        _order.Enqueue(id);
        if (_order.Count > Capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
    }
}
