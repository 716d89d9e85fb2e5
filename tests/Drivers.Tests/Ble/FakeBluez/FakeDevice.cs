namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>
/// org.bluez.Device1: Connect sets Connected (or fails when told to), as a reachable device would.
/// Pair is done by the service, which calls back the registered agent for the device's
/// <see cref="Pairing"/> method; clients may set Trusted (and nothing else).
/// </summary>
public sealed class FakeDevice(ObjectPath path, ObjectPath adapter, string address, bool paired = true, IDictionary<string, object>? advertised = null)
    : FakeBluezObject(path, "org.bluez.Device1", new Dictionary<string, object>(advertised ?? new Dictionary<string, object>())
    {
        ["Address"] = address,
        ["Adapter"] = adapter,
        ["Connected"] = false,
        ["ServicesResolved"] = false,
        ["Paired"] = paired,
        ["Bonded"] = paired,
        ["Trusted"] = false,
    }), IFakeDevice1
{
    private int _connectCalls;
    private int _cancelCalls;

    public int ConnectCalls => Volatile.Read(ref _connectCalls);

    public int CancelPairingCalls => Volatile.Read(ref _cancelCalls);

    /// <summary>When set, Connect answers with this BlueZ error (as for a device out of range).</summary>
    public string? FailConnectWith { get; set; }

    public FakePairingMethod Pairing { get; set; } = FakePairingMethod.JustWorks;

    /// <summary>The number the device shows (Passkey, Confirmation, Display).</summary>
    public uint Passkey { get; set; } = 123456;

    /// <summary>What Pair does (set by <see cref="FakeBluezService"/>); a pending pairing is cancelled by CancelPairing.</summary>
    internal Func<FakeDevice, Task>? OnPair { get; set; }

    internal TaskCompletionSource? Pending { get; set; }

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

    public Task PairAsync() => OnPair?.Invoke(this) ?? throw new DBusException("org.bluez.Error.Failed", "no bluetoothd behind this device");

    /// <summary>What CancelPairing does before the pending Pair fails (bluetoothd cancels the agent's request; set by <see cref="FakeBluezService"/>).</summary>
    internal Func<FakeDevice, Task>? OnCancelPairing { get; set; }

    /// <summary>
    /// Cancels a pending pairing: the agent's request first, then Pair fails, and only then does
    /// CancelPairing answer, so that Pair's error never goes to a client that has already left the bus
    /// (which Tmds.DBus, unlike libdbus, would take as a protocol error and drop the fake's connection).
    /// </summary>
    public async Task CancelPairingAsync()
    {
        Interlocked.Increment(ref _cancelCalls);
        var pending = Pending ?? throw new DBusException("org.bluez.Error.DoesNotExist", "No pairing in progress");
        if (OnCancelPairing is { } cancel)
        {
            await cancel(this);
        }

        pending.TrySetCanceled();
    }

    public override Task SetAsync(string prop, object val)
    {
        if (prop != "Trusted" || val is not bool)
        {
            return base.SetAsync(prop, val);
        }

        Set(prop, val);
        return Task.CompletedTask;
    }
}
