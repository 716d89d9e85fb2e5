namespace EdgeTwin.Drivers.Ble.BlueZ;

/// <summary>BlueZ <c>org.bluez.AgentManager1</c> at /org/bluez (doc/org.bluez.AgentManager.rst).</summary>
internal sealed class BluezAgentManager(BluezBus bus)
{
    public Task RegisterAgentAsync(string agent, string capability)
    {
        using var writer = bus.Call(BluezNames.AgentManagerPath, BluezNames.AgentManager1, "RegisterAgent", "os");
        writer.WriteObjectPath(agent);
        writer.WriteString(capability);
        return bus.SendAsync(writer.CreateMessage());
    }

    public Task UnregisterAgentAsync(string agent) => bus.CallAsync(BluezNames.AgentManagerPath, BluezNames.AgentManager1, "UnregisterAgent", agent);

    public Task RequestDefaultAgentAsync(string agent) => bus.CallAsync(BluezNames.AgentManagerPath, BluezNames.AgentManager1, "RequestDefaultAgent", agent);
}
