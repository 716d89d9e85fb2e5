namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>
/// A fake bluetoothd on a private bus: owns org.bluez and exports, as BlueZ lays them out, the
/// ObjectManager at /, the AgentManager at /org/bluez, adapter hci0, one device, its GATT service
/// and one characteristic. Devices in range (<see cref="AddInRange"/>) appear when a client starts
/// discovery; Pair calls back the registered agent for the device's pairing method; RemoveDevice
/// forgets a device and its bond.
/// </summary>
public sealed class FakeBluezService : IFakeObjectManager, IAsyncDisposable
{
    private readonly Connection _connection;
    private readonly Lock _gate = new();
    private readonly List<FakeBluezObject> _exported = [];
    private event Action<(ObjectPath Path, IDictionary<string, IDictionary<string, object>> Interfaces)>? InterfacesAdded;
    private event Action<(ObjectPath Path, string[] Interfaces)>? InterfacesRemoved;

    private readonly List<FakeDevice> _inRange = [];

    private FakeBluezService(Connection connection, string self, string mac, string characteristicUuid, string[] moreUuids)
    {
        _connection = connection;
        Agents = new FakeAgentManager(connection, self);
        var adapterPath = new ObjectPath("/org/bluez/hci0");
        var devicePath = new ObjectPath($"/org/bluez/hci0/dev_{mac.Replace(':', '_')}");
        Adapter = new FakeAdapter(adapterPath, "00:1A:7D:DA:71:13");
        Device = new FakeDevice(devicePath, adapterPath, mac);
        Service = new FakeGattService(new ObjectPath(devicePath + "/service000c"), devicePath, "0000180d-0000-1000-8000-00805f9b34fb");
        Characteristic = new FakeCharacteristic(new ObjectPath(devicePath + "/service000c/char000d"), Service.ObjectPath, characteristicUuid);
        Adapter.OnStartDiscovery = DiscoverAsync;
        Adapter.OnRemoveDevice = Forget;
        Device.OnPair = PairAsync;
        Device.OnCancelPairing = CancelAgentRequestAsync;
        More = [.. moreUuids.Select((uuid, i) => new FakeCharacteristic(new ObjectPath($"{devicePath}/service000c/char{0x20 + i:x4}"), Service.ObjectPath, uuid))];
    }

    /// <summary>Further characteristics of the device (e.g. Current Time 0x2A2B), beside the profile's.</summary>
    public IReadOnlyList<FakeCharacteristic> More { get; }

    public ObjectPath ObjectPath => ObjectPath.Root;

    public FakeAgentManager Agents { get; }

    public FakeAdapter Adapter { get; }

    public FakeDevice Device { get; }

    public FakeGattService Service { get; }

    public FakeCharacteristic Characteristic { get; }

    public static async Task<FakeBluezService> StartAsync(string busAddress, string mac, string characteristicUuid, params string[] moreUuids)
    {
        var connection = new Connection(busAddress);
        var info = await connection.ConnectAsync();
        var bluez = new FakeBluezService(connection, info.LocalName, mac, characteristicUuid, moreUuids);
        await connection.RegisterObjectAsync(bluez);
        await connection.RegisterObjectAsync(bluez.Agents);
        await bluez.AddAsync([bluez.Adapter, bluez.Device, bluez.Service, bluez.Characteristic, .. bluez.More]);
        await connection.RegisterServiceAsync("org.bluez");
        return bluez;
    }

    public Task<IDictionary<ObjectPath, IDictionary<string, IDictionary<string, object>>>> GetManagedObjectsAsync()
    {
        var objects = new Dictionary<ObjectPath, IDictionary<string, IDictionary<string, object>>>();
        lock (_gate)
        {
            foreach (var o in _exported)
            {
                objects[o.ObjectPath] = Describe(o);
            }
        }

        return Task.FromResult<IDictionary<ObjectPath, IDictionary<string, IDictionary<string, object>>>>(objects);
    }

    public Task<IDisposable> WatchInterfacesAddedAsync(Action<(ObjectPath Path, IDictionary<string, IDictionary<string, object>> Interfaces)> handler)
    {
        InterfacesAdded += handler;
        return Task.FromResult<IDisposable>(new FakeSubscription(() => InterfacesAdded -= handler));
    }

    public Task<IDisposable> WatchInterfacesRemovedAsync(Action<(ObjectPath Path, string[] Interfaces)> handler)
    {
        InterfacesRemoved += handler;
        return Task.FromResult<IDisposable>(new FakeSubscription(() => InterfacesRemoved -= handler));
    }

    /// <summary>The device goes out of range and BlueZ forgets it: its objects disappear, deepest first.</summary>
    public void RemoveDevice()
    {
        FakeBluezObject[] gone = [Characteristic, Service, Device];
        lock (_gate)
        {
            _exported.RemoveAll(gone.Contains);
        }

        foreach (var o in gone)
        {
            _connection.UnregisterObject(o);
            InterfacesRemoved?.Invoke((o.ObjectPath, [o.InterfaceName]));
        }
    }

    /// <summary>The device is seen again (disconnected, as a rediscovered device is).</summary>
    public async Task AddDeviceAgainAsync()
    {
        Device.Set("Connected", false);
        await AddAsync(Device, Service, Characteristic);
    }

    /// <summary>
    /// A device advertising nearby (not known to BlueZ, not paired) with its name, signal strength and
    /// service UUIDs: it appears (InterfacesAdded) when a client starts discovery.
    /// </summary>
    public FakeDevice AddInRange(string mac, string name, short rssi, params string[] serviceUuids)
    {
        var device = new FakeDevice(new ObjectPath($"{Adapter.ObjectPath}/dev_{mac.Replace(':', '_')}"), Adapter.ObjectPath, mac, paired: false, new Dictionary<string, object>
        {
            ["Name"] = name,
            ["Alias"] = name,
            ["RSSI"] = rssi,
            ["UUIDs"] = serviceUuids,
        }) { OnPair = PairAsync, OnCancelPairing = CancelAgentRequestAsync };
        lock (_gate)
        {
            _inRange.Add(device);
        }

        return device;
    }

    /// <summary>Whether BlueZ lists the device now (found by a scan and not forgotten).</summary>
    public bool Knows(FakeDevice device)
    {
        lock (_gate)
        {
            return _exported.Contains(device);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connection.UnregisterServiceAsync("org.bluez");
        }
        catch (Tmds.DBus.DisconnectedException)
        {
            // The connection is gone already (Tmds.DBus drops it on a reply it did not expect, e.g. to a
            // call a stopping gateway gave up on): the name went with it, nothing left to unregister.
        }

        _connection.Dispose();
    }

    private async Task DiscoverAsync()
    {
        FakeDevice[] found;
        lock (_gate)
        {
            found = [.. _inRange.Where(d => !_exported.Contains(d))];
        }

        await AddAsync(found);
    }

    /// <summary>Adapter1.RemoveDevice: the device and everything under it go, and so does its bond.</summary>
    private bool Forget(ObjectPath path)
    {
        FakeBluezObject[] gone;
        lock (_gate)
        {
            if (!_exported.Any(o => o.ObjectPath == path && o is FakeDevice))
            {
                return false;
            }

            gone = [.. _exported.Where(o => o.ObjectPath.ToString().StartsWith(path + "/", StringComparison.Ordinal)).Reverse(), .. _exported.Where(o => o.ObjectPath == path)];
            _exported.RemoveAll(gone.Contains);
        }

        foreach (var o in gone)
        {
            _connection.UnregisterObject(o);
            InterfacesRemoved?.Invoke((o.ObjectPath, [o.InterfaceName]));
        }

        var device = (FakeDevice)gone[^1];
        device.Set("Paired", false);
        device.Set("Bonded", false);
        device.Set("Trusted", false);
        return true;
    }

    /// <summary>Device1.Pair as bluetoothd does it: the agent is called over the bus for what the device's method needs.</summary>
    private async Task PairAsync(FakeDevice device)
    {
        if (device.Get("Paired") is true)
        {
            throw new DBusException("org.bluez.Error.AlreadyExists", "Already Paired");
        }

        var agent = Agents.CallerFor();
        var path = device.ObjectPath;
        try
        {
            switch (device.Pairing)
            {
                case FakePairingMethod.Passkey:
                    Agents.Record($"RequestPasskey {path}");
                    var given = await (agent ?? throw NoAgent()).RequestPasskeyAsync(path);
                    if (given != device.Passkey)
                    {
                        throw new DBusException("org.bluez.Error.AuthenticationFailed", "Authentication Failed");
                    }

                    break;
                case FakePairingMethod.Confirmation:
                    Agents.Record($"RequestConfirmation {path}");
                    await (agent ?? throw NoAgent()).RequestConfirmationAsync(path, device.Passkey);
                    break;
                case FakePairingMethod.Display:
                    Agents.Record($"DisplayPasskey {path}");
                    await (agent ?? throw NoAgent()).DisplayPasskeyAsync(path, device.Passkey, 0);
                    break;
                case FakePairingMethod.Silent:
                    // Continued inline by CancelPairing, so that Pair's error is sent before CancelPairing's answer.
                    device.Pending = new TaskCompletionSource();
                    await device.Pending.Task;
                    break;
            }
        }
        catch (DBusException e) when (e.ErrorName is "org.bluez.Error.Rejected" or "org.bluez.Error.Canceled")
        {
            throw new DBusException("org.bluez.Error.AuthenticationRejected", $"Authentication Rejected ({e.ErrorMessage})");
        }
        catch (TaskCanceledException)
        {
            throw new DBusException("org.bluez.Error.AuthenticationCanceled", "Authentication Canceled");
        }
        finally
        {
            device.Pending = null;
        }

        device.Set("Paired", true);
        device.Set("Bonded", true);
    }

    /// <summary>bluetoothd withdraws the request it made of the agent (Agent1.Cancel) when a pairing is cancelled.</summary>
    private async Task CancelAgentRequestAsync(FakeDevice device)
    {
        if (Agents.CallerFor() is { } agent)
        {
            Agents.Record($"Cancel {device.ObjectPath}");
            await agent.CancelAsync();
        }
    }

    private static DBusException NoAgent() => new("org.bluez.Error.AuthenticationFailed", "no agent registered to ask");

    private async Task AddAsync(params FakeBluezObject[] objects)
    {
        await _connection.RegisterObjectsAsync(objects);
        foreach (var o in objects)
        {
            lock (_gate)
            {
                _exported.Add(o);
            }

            InterfacesAdded?.Invoke((o.ObjectPath, Describe(o)));
        }
    }

    private static IDictionary<string, IDictionary<string, object>> Describe(FakeBluezObject o) =>
        new Dictionary<string, IDictionary<string, object>> { [o.InterfaceName] = o.Snapshot() };
}
