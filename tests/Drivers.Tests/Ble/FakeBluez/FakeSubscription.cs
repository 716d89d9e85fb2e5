namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

/// <summary>What a signal watch returns on the exporting side: disposing it detaches the emitter.</summary>
internal sealed class FakeSubscription(Action detach) : IDisposable
{
    public void Dispose() => detach();
}
