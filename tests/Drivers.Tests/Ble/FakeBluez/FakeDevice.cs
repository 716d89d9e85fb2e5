namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>org.bluez.Device1: Connect sets Connected (or fails when told to), as a reachable device would.</summary>
public sealed class FakeDevice(ObjectPath path, ObjectPath adapter, string address)
    : FakeBluezObject(path, "org.bluez.Device1", new Dictionary<string, object>
    {
        ["Address"] = address,
        ["Adapter"] = adapter,
        ["Connected"] = false,
        ["ServicesResolved"] = false,
        ["Paired"] = true,
    }), IFakeDevice1
{
    private int _connectCalls;

    public int ConnectCalls => Volatile.Read(ref _connectCalls);

    /// <summary>When set, Connect answers with this BlueZ error (as for a device out of range).</summary>
    public string? FailConnectWith { get; set; }

    public Task ConnectAsync()
    {
        Interlocked.Increment(ref _connectCalls);
        if (FailConnectWith is { } error)
        {
            throw new DBusException("org.bluez.Error.Failed", error);
        }

        Set("Connected", true);
        Set("ServicesResolved", true);
        return Task.CompletedTask;
    }

    public Task DisconnectAsync()
    {
        Set("ServicesResolved", false);
        Set("Connected", false);
        return Task.CompletedTask;
    }
}
