namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>BlueZ <c>org.bluez.AgentManager1</c> at /org/bluez (doc/org.bluez.AgentManager.rst).</summary>
[DBusInterface("org.bluez.AgentManager1")]
internal interface IBluezAgentManager1 : IDBusObject
{
    Task RegisterAgentAsync(ObjectPath agent, string capability);

    Task UnregisterAgentAsync(ObjectPath agent);

    Task RequestDefaultAgentAsync(ObjectPath agent);
}
