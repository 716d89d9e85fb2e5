namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Gateway.Uplink;

/// <summary>An uplink whose connection the test sets.</summary>
internal sealed class DownUplink : IUplink
{
    public bool IsConnected { get; set; }

    public void SetRetained(string subtopic, ReadOnlyMemory<byte> payload)
    {
    }

    public void Subscribe(string subtopic, Func<ReadOnlyMemory<byte>, CancellationToken, Task> handler)
    {
    }
}
