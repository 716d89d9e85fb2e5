namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Outbox.Durability;

/// <summary>A filesystem of <see cref="Total"/> bytes whose free bytes the test sets.</summary>
internal sealed class FixedFreeSpace(long total) : IFreeSpace
{
    public long Total { get; } = total;

    public long Available { get; set; } = total;

    public FilesystemSpace? Measure(string directory) => new FilesystemSpace(Available, Total);
}
