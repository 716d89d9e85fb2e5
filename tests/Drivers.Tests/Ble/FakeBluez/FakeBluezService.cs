namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>
/// A fake bluetoothd on a private bus: owns org.bluez and exports, as BlueZ lays them out, the
/// ObjectManager at /, adapter hci0, one device, its GATT service and one characteristic.
/// </summary>
public sealed class FakeBluezService : IFakeObjectManager, IAsyncDisposable
{
    private readonly Connection _connection;
    private readonly Lock _gate = new();
    private readonly List<FakeBluezObject> _exported = [];
    private event Action<(ObjectPath Path, IDictionary<string, IDictionary<string, object>> Interfaces)>? InterfacesAdded;
    private event Action<(ObjectPath Path, string[] Interfaces)>? InterfacesRemoved;

    private FakeBluezService(Connection connection, string mac, string characteristicUuid, string[] moreUuids)
    {
        _connection = connection;
        var adapterPath = new ObjectPath("/org/bluez/hci0");
        var devicePath = new ObjectPath($"/org/bluez/hci0/dev_{mac.Replace(':', '_')}");
        Adapter = new FakeAdapter(adapterPath, "00:1A:7D:DA:71:13");
        Device = new FakeDevice(devicePath, adapterPath, mac);
        Service = new FakeGattService(new ObjectPath(devicePath + "/service000c"), devicePath, "0000180d-0000-1000-8000-00805f9b34fb");
        Characteristic = new FakeCharacteristic(new ObjectPath(devicePath + "/service000c/char000d"), Service.ObjectPath, characteristicUuid);
        More = [.. moreUuids.Select((uuid, i) => new FakeCharacteristic(new ObjectPath($"{devicePath}/service000c/char{0x20 + i:x4}"), Service.ObjectPath, uuid))];
    }

    /// <summary>Further characteristics of the device (e.g. Current Time 0x2A2B), beside the profile's.</summary>
    public IReadOnlyList<FakeCharacteristic> More { get; }

    public ObjectPath ObjectPath => ObjectPath.Root;

    public FakeAdapter Adapter { get; }

    public FakeDevice Device { get; }

    public FakeGattService Service { get; }

    public FakeCharacteristic Characteristic { get; }

    public static async Task<FakeBluezService> StartAsync(string busAddress, string mac, string characteristicUuid, params string[] moreUuids)
    {
        var connection = new Connection(busAddress);
        await connection.ConnectAsync();
        var bluez = new FakeBluezService(connection, mac, characteristicUuid, moreUuids);
        await connection.RegisterObjectAsync(bluez);
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

    public async ValueTask DisposeAsync()
    {
        await _connection.UnregisterServiceAsync("org.bluez");
        _connection.Dispose();
    }

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
