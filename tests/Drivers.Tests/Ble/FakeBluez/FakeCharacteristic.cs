namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>org.bluez.GattCharacteristic1: a notification is a change of its Value property.</summary>
public sealed class FakeCharacteristic(ObjectPath path, ObjectPath service, string uuid)
    : FakeBluezObject(path, "org.bluez.GattCharacteristic1", new Dictionary<string, object>
    {
        ["UUID"] = uuid,
        ["Service"] = service,
        ["Value"] = Array.Empty<byte>(),
        ["Notifying"] = false,
        // The measurements a device stores or must not lose are indicated (acknowledged) rather than notified.
        ["Flags"] = uuid is "00002a35-0000-1000-8000-00805f9b34fb" or "00002a9d-0000-1000-8000-00805f9b34fb" or "00002a5e-0000-1000-8000-00805f9b34fb" ? new[] { "indicate" }
            : uuid is "00002a52-0000-1000-8000-00805f9b34fb" ? new[] { "write", "indicate" }
            : uuid is "00002a2b-0000-1000-8000-00805f9b34fb" ? new[] { "read", "write", "notify" }
            : new[] { "notify" },
    }), IFakeGattCharacteristic1
{
    private readonly SemaphoreSlim _started = new(0);
    private int _startCalls;

    public int StartNotifyCalls => Volatile.Read(ref _startCalls);

    public Task StartNotifyAsync()
    {
        Interlocked.Increment(ref _startCalls);
        Set("Notifying", true);
        _started.Release();
        return Task.CompletedTask;
    }

    public Task StopNotifyAsync()
    {
        Set("Notifying", false);
        return Task.CompletedTask;
    }

    /// <summary>Waits until a client has called StartNotify (once more than the calls already awaited).</summary>
    public async Task WaitForStartNotifyAsync()
    {
        if (!await _started.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("The driver never called StartNotify.");
        }
    }

    public void Notify(params byte[] value) => Set("Value", value);

    /// <summary>What clients wrote, in order (the Current Time characteristic records the box's time here).</summary>
    public List<byte[]> Written { get; } = [];

    /// <summary>When set, WriteValue fails with this D-Bus error name (BlueZ's org.bluez.Error.NotPermitted, say).</summary>
    public string? RefuseWritesWith { get; set; }

    public Task WriteValueAsync(byte[] value, IDictionary<string, object> options)
    {
        if (RefuseWritesWith is { } error)
        {
            throw new DBusException(error, "write refused by the fake device");
        }

        lock (Written)
        {
            Written.Add(value);
        }

        OnWrite?.Invoke(value);
        return Task.CompletedTask;
    }

    /// <summary>What the device does with a value written to it (a glucose meter answers its Record Access Control Point).</summary>
    public Action<byte[]>? OnWrite { get; set; }

    /// <summary>What ReadValue returns: the device's answer when set, else the Value property.</summary>
    public Func<Task<byte[]>>? OnRead { get; set; }

    public Task<byte[]> ReadValueAsync(IDictionary<string, object> options) => OnRead is { } read ? read() : Task.FromResult((byte[])Get("Value"));
}
