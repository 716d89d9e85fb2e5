namespace EdgeTwin.Outbox;

/// <summary>
/// The deletions one commit may still make: a budget, and a callback asked every
/// <see cref="OutboxStore.YieldEvery"/> deletions whether to stop (an alarm is waiting).
/// </summary>
public sealed class Deletions(int budget, Func<bool>? yieldNow)
{
    private int _done;
    private bool _yielded;

    public void Count() => _done++;

    public bool MayGoOn()
    {
        if (_done >= budget || _yielded)
        {
            return false;
        }

        if (_done > 0 && _done % OutboxStore.YieldEvery == 0 && yieldNow?.Invoke() == true)
        {
            _yielded = true;
        }

        return !_yielded;
    }
}
