namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>
/// org.bluez.Adapter1: StartDiscovery sets Discovering and makes the devices in range appear (the
/// service adds them, InterfacesAdded); StopDiscovery clears it; RemoveDevice forgets a device and
/// its bond, or answers DoesNotExist.
/// </summary>
public sealed class FakeAdapter(ObjectPath path, string address)
    : FakeBluezObject(path, "org.bluez.Adapter1", new Dictionary<string, object> { ["Address"] = address, ["Powered"] = true, ["Discovering"] = false }), IFakeAdapter1
{
    private readonly SemaphoreSlim _discovering = new(0);

    /// <summary>What the service does on StartDiscovery and RemoveDevice (set by <see cref="FakeBluezService"/>).</summary>
    internal Func<Task>? OnStartDiscovery { get; set; }

    internal Func<ObjectPath, bool>? OnRemoveDevice { get; set; }

    /// <summary>The discovery filters clients set, in order.</summary>
    public List<IDictionary<string, object>> Filters { get; } = [];

    public int StopDiscoveryCalls { get; private set; }

    public Task SetDiscoveryFilterAsync(IDictionary<string, object> properties)
    {
        lock (Filters)
        {
            Filters.Add(properties);
        }

        return Task.CompletedTask;
    }

    public async Task StartDiscoveryAsync()
    {
        if (Get("Discovering") is true)
        {
            throw new DBusException("org.bluez.Error.InProgress", "Operation already in progress");
        }

        Set("Discovering", true);
        if (OnStartDiscovery is { } start)
        {
            await start();
        }

        _discovering.Release();
    }

    public Task StopDiscoveryAsync()
    {
        if (Get("Discovering") is not true)
        {
            throw new DBusException("org.bluez.Error.Failed", "No discovery started");
        }

        StopDiscoveryCalls++;
        Set("Discovering", false);
        return Task.CompletedTask;
    }

    public Task RemoveDeviceAsync(ObjectPath device) =>
        OnRemoveDevice?.Invoke(device) is true ? Task.CompletedTask : throw new DBusException("org.bluez.Error.DoesNotExist", "Does Not Exist");

    /// <summary>Waits until a client has started discovery (and the devices in range have appeared).</summary>
    public async Task WaitForDiscoveryAsync()
    {
        if (!await _discovering.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("Nobody started discovery.");
        }
    }
}
