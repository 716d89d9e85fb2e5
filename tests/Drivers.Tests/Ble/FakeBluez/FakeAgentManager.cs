namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

/// <summary>
/// org.bluez.AgentManager1 at /org/bluez, and bluetoothd's side of the agent protocol: a registered
/// agent is a real D-Bus object of another bus peer, which the fake calls back over the bus while a
/// device pairs (<see cref="CallerFor"/>). Tmds.DBus does not tell an exported method who called it,
/// so on RegisterAgent the fake finds the peer that exports an org.bluez.Agent1 at the path given by
/// introspecting it on every other peer of the bus (the newest one wins).
/// </summary>
public sealed class FakeAgentManager(Connection connection, string self) : IFakeAgentManager1
{
    private readonly Lock _gate = new();
    private readonly List<Registration> _agents = [];
    private Registration? _default;

    public ObjectPath ObjectPath { get; } = new("/org/bluez");

    /// <summary>Every RegisterAgent and UnregisterAgent, and every call the fake made to an agent, in order ("RegisterAgent KeyboardOnly", "RequestPasskey /org/bluez/hci0/dev_...").</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Agents registered now.</summary>
    public int Registered
    {
        get
        {
            lock (_gate)
            {
                return _agents.Count;
            }
        }
    }

    public async Task RegisterAgentAsync(ObjectPath agent, string capability)
    {
        if (capability is not ("DisplayOnly" or "DisplayYesNo" or "KeyboardOnly" or "NoInputNoOutput" or "KeyboardDisplay" or ""))
        {
            throw new DBusException("org.bluez.Error.InvalidArguments", $"Invalid capability '{capability}'");
        }

        var owner = await FindOwnerAsync(agent);
        lock (_gate)
        {
            if (_agents.Any(a => a.Owner == owner))
            {
                throw new DBusException("org.bluez.Error.AlreadyExists", "Already Exists");
            }

            _agents.Add(new Registration(owner, agent, capability));
        }

        Record($"RegisterAgent {capability}");
    }

    public Task RequestDefaultAgentAsync(ObjectPath agent)
    {
        lock (_gate)
        {
            _default = _agents.LastOrDefault(a => a.Path == agent) ?? throw new DBusException("org.bluez.Error.DoesNotExist", "Does Not Exist");
        }

        Record("RequestDefaultAgent");
        return Task.CompletedTask;
    }

    public Task UnregisterAgentAsync(ObjectPath agent)
    {
        lock (_gate)
        {
            var registration = _agents.LastOrDefault(a => a.Path == agent) ?? throw new DBusException("org.bluez.Error.DoesNotExist", "Does Not Exist");
            _agents.Remove(registration);
            if (_default == registration)
            {
                _default = null;
            }
        }

        Record("UnregisterAgent");
        return Task.CompletedTask;
    }

    /// <summary>The fake bluetoothd's unique name on the bus (the owner of org.bluez).</summary>
    public string Self => self;

    /// <summary>The default agent (else the last registered) as bluetoothd calls it, or null when none is registered.</summary>
    public IFakeAgentCaller? CallerFor() => CallerFor<IFakeAgentCaller>();

    /// <summary>
    /// The default agent (else the last registered) through <typeparamref name="T"/>, called from bluetoothd's
    /// connection or from <paramref name="from"/> (another bus peer); null when none is registered.
    /// </summary>
    public T? CallerFor<T>(Connection? from = null)
        where T : class, IDBusObject
    {
        lock (_gate)
        {
            var agent = _default ?? _agents.LastOrDefault();
            return agent is null ? null : (from ?? connection).CreateProxy<T>(agent.Owner, agent.Path);
        }
    }

    /// <summary>bluetoothd stops: every agent is released (Agent1.Release) and forgotten.</summary>
    public async Task ReleaseAllAsync()
    {
        Registration[] agents;
        lock (_gate)
        {
            agents = [.. _agents];
            _agents.Clear();
            _default = null;
        }

        foreach (var agent in agents)
        {
            Record("Release");
            await connection.CreateProxy<IFakeAgentCaller>(agent.Owner, agent.Path).ReleaseAsync();
        }
    }

    public void Record(string call)
    {
        lock (Calls)
        {
            Calls.Add(call);
        }
    }

    private async Task<string> FindOwnerAsync(ObjectPath agent)
    {
        var found = new List<string>();
        foreach (var peer in (await connection.ListServicesAsync()).Where(n => n.StartsWith(':') && n != self))
        {
            try
            {
                var xml = await connection.CreateProxy<IFakeIntrospectable>(peer, agent).IntrospectAsync().WaitAsync(TimeSpan.FromSeconds(5));
                if (xml.Contains("\"org.bluez.Agent1\"", StringComparison.Ordinal))
                {
                    found.Add(peer);
                }
            }
            catch (DBusException)
            {
                // Not this peer (no object there).
            }
        }

        return found.OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).LastOrDefault()
            ?? throw new DBusException("org.bluez.Error.InvalidArguments", $"no peer on the bus exports org.bluez.Agent1 at {agent}");
    }

    private sealed record Registration(string Owner, ObjectPath Path, string Capability);
}
