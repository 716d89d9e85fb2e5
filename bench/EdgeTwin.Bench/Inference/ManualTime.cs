namespace EdgeTwin.Bench.Inference;

/// <summary>A clock the benchmark moves itself, so an hour of ward time runs in seconds.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
