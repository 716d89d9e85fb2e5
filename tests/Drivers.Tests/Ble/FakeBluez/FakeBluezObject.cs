namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>One exported BlueZ object: its properties, and PropertiesChanged whenever one is set.</summary>
public abstract class FakeBluezObject(ObjectPath path, string interfaceName, IDictionary<string, object> properties) : IDBusObject
{
    private readonly Dictionary<string, object> _properties = new(properties, StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private event Action<PropertyChanges>? PropertiesChanged;

    public ObjectPath ObjectPath { get; } = path;

    public string InterfaceName { get; } = interfaceName;

    public Task<object> GetAsync(string prop)
    {
        lock (_gate)
        {
            return _properties.TryGetValue(prop, out var value)
                ? Task.FromResult(value)
                : throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", $"No such property '{prop}'");
        }
    }

    public Task<IDictionary<string, object>> GetAllAsync() => Task.FromResult(Snapshot());

    public IDictionary<string, object> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, object>(_properties);
        }
    }

    public virtual Task SetAsync(string prop, object val) => throw new DBusException("org.bluez.Error.NotPermitted", "read-only in the fake");

    public Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler)
    {
        PropertiesChanged += handler;
        return Task.FromResult<IDisposable>(new FakeSubscription(() => PropertiesChanged -= handler));
    }

    /// <summary>Sets a property and emits PropertiesChanged for it, as BlueZ does.</summary>
    public void Set(string name, object value)
    {
        lock (_gate)
        {
            _properties[name] = value;
        }

        PropertiesChanged?.Invoke(PropertyChanges.ForProperty(name, value));
    }

    public object Get(string name)
    {
        lock (_gate)
        {
            return _properties[name];
        }
    }
}
