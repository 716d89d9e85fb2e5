namespace EdgeTwin.Drivers.Ble.Pairing;

using System.Text.RegularExpressions;
using EdgeTwin.Drivers.Ble.BlueZ;
using EdgeTwin.Drivers.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;

/// <summary>
/// Scanning, pairing and forgetting Bluetooth LE health devices through BlueZ over D-Bus (issue 19),
/// so that a home-care nurse pairs them from the box instead of with bluetoothctl. One operation at a
/// time, each on its own bus connection: the pairing agent (<see cref="PairingAgent"/>) is exported
/// and registered only while its pairing runs, and BlueZ drops it with the connection. Every D-Bus
/// call has a deadline. Each operation is logged (4520-4529) and counted
/// (<c>edgetwin_ble_pairing_total{device,what,reason}</c>); a failure is a
/// <see cref="BlePairingException"/> naming why.
/// </summary>
public sealed partial class BlePairing
{
    private const string InProgress = "org.bluez.Error.InProgress";
    private const string AlreadyExists = "org.bluez.Error.AlreadyExists";
    private readonly BlePairingSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _one = new(1, 1);

    public BlePairing(BlePairingSettings settings, TimeProvider time, ILogger<BlePairing>? logger = null)
    {
        _settings = settings;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Whether <paramref name="address"/> is a Bluetooth MAC address like A4:C1:38:12:34:56.</summary>
    public static bool IsAddress(string? address) => address is not null && MacPattern().IsMatch(address);

    /// <summary>Discovers LE devices for <paramref name="window"/>, then lists every device BlueZ knows on the adapter.</summary>
    public async Task<IReadOnlyList<BleDevice>> ScanAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        if (window < TimeSpan.FromSeconds(1) || window > BlePairingSettings.MaxScan)
        {
            throw Counted(_settings.Adapter, "scan-failed", new BlePairingException(BlePairingFailure.Invalid, $"a scan lasts 1 to {BlePairingSettings.MaxScan.TotalSeconds} s, not {window.TotalSeconds} s"));
        }

        return await OneAtATimeAsync(_settings.Adapter, "scan-failed", async session =>
        {
            var adapter = new BluezAdapter(session.Bus, session.AdapterPath);
            await Bounded(adapter.SetDiscoveryFilterAsync("le"), "SetDiscoveryFilter", cancellationToken).ConfigureAwait(false);
            // The window runs from the request, so a scan lasts what was asked however long BlueZ takes to start it.
            var listening = Task.Delay(window, _time, cancellationToken);
            await Tolerating(InProgress, Bounded(adapter.StartDiscoveryAsync(), "StartDiscovery", cancellationToken)).ConfigureAwait(false);
            try
            {
                await listening.ConfigureAwait(false);
            }
            finally
            {
                await Bounded(adapter.StopDiscoveryAsync(), "StopDiscovery", CancellationToken.None).ConfigureAwait(false);
            }

            var devices = Devices(await ObjectsAsync(session, cancellationToken).ConfigureAwait(false));
            DriverMetrics.Pairing(_settings.Adapter, "scan", null);
            LogScanned(_logger, _settings.Adapter, window.TotalSeconds, devices.Count, devices.Count(d => d.Profiles.Count > 0));
            return devices;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The devices BlueZ knows on the adapter now (found by an earlier scan, or paired), without discovering.</summary>
    public Task<IReadOnlyList<BleDevice>> ListAsync(CancellationToken cancellationToken) =>
        OneAtATimeAsync(_settings.Adapter, "list-failed", async session => Devices(await ObjectsAsync(session, cancellationToken).ConfigureAwait(false)), cancellationToken);

    /// <summary>
    /// Pairs and bonds the device, then trusts it (so BlueZ lets it reconnect by itself).
    /// <paramref name="passkey"/>: the 6 digits the device shows, for devices that ask for one.
    /// A device already paired is only trusted.
    /// </summary>
    public async Task<BleDevice> PairAsync(string address, uint? passkey, CancellationToken cancellationToken)
    {
        if (!IsAddress(address) || passkey > 999_999)
        {
            throw Counted(address, "pair-failed", new BlePairingException(BlePairingFailure.Invalid,
                IsAddress(address) ? "a passkey is 6 digits, 000000-999999" : $"'{address}' is not a Bluetooth address like A4:C1:38:12:34:56"));
        }

        address = address.ToUpperInvariant();
        return await OneAtATimeAsync(address, "pair-failed", async session =>
        {
            var path = Known(await ObjectsAsync(session, cancellationToken).ConfigureAwait(false), address);
            var device = new BluezDevice(session.Bus, path);
            var method = "already paired";
            if (!await Bounded(device.GetBoolAsync("Paired"), "Get Paired", cancellationToken).ConfigureAwait(false))
            {
                method = await PairWithAgentAsync(session, device, passkey, cancellationToken).ConfigureAwait(false);
            }

            await Bounded(device.SetAsync("Trusted", true), "Set Trusted", cancellationToken).ConfigureAwait(false);
            var paired = Devices(await ObjectsAsync(session, cancellationToken).ConfigureAwait(false)).Single(d => d.Address == address);
            DriverMetrics.Pairing(address, "pair", null);
            LogPaired(_logger, address, paired.Name ?? "no name", _settings.Adapter, paired.Bonded, method);
            return paired;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the device and its bond from BlueZ: the box no longer connects it or lets it reconnect.</summary>
    public async Task ForgetAsync(string address, CancellationToken cancellationToken)
    {
        if (!IsAddress(address))
        {
            throw Counted(address, "forget-failed", new BlePairingException(BlePairingFailure.Invalid, $"'{address}' is not a Bluetooth address like A4:C1:38:12:34:56"));
        }

        address = address.ToUpperInvariant();
        await OneAtATimeAsync(address, "forget-failed", async session =>
        {
            var path = Known(await ObjectsAsync(session, cancellationToken).ConfigureAwait(false), address);
            var adapter = new BluezAdapter(session.Bus, session.AdapterPath);
            await Bounded(adapter.RemoveDeviceAsync(path), "RemoveDevice", cancellationToken).ConfigureAwait(false);
            DriverMetrics.Pairing(address, "forget", null);
            LogForgot(_logger, address, _settings.Adapter);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Exports and registers the agent, pairs under the deadline, unregisters; returns how the device paired.
    /// The agent answers only the peer that owns org.bluez now.
    /// </summary>
    private async Task<string> PairWithAgentAsync(Session session, BluezDevice device, uint? passkey, CancellationToken cancellationToken)
    {
        var bluez = await Bounded(session.Bus.GetNameOwnerAsync(BluezNames.Service), "GetNameOwner org.bluez", cancellationToken).ConfigureAwait(false);
        var agent = new PairingAgent(_logger, bluez);
        session.Bus.Connection.AddMethodHandler(agent);
        var manager = new BluezAgentManager(session.Bus);
        await Bounded(manager.RegisterAgentAsync(agent.Path, PairingAgent.Capability), "RegisterAgent", cancellationToken).ConfigureAwait(false);
        try
        {
            await Bounded(manager.RequestDefaultAgentAsync(agent.Path), "RequestDefaultAgent", cancellationToken).ConfigureAwait(false);
            agent.Expect(device.Path, passkey);
            var pair = device.PairAsync();
            try
            {
                await pair.WaitAsync(_settings.PairTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // BlueZ answers the abandoned Pair later (or the bus connection ends it): observed, not left to fault unseen.
                _ = pair.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                await Tolerating(null, Bounded(device.CancelPairingAsync(), "CancelPairing", CancellationToken.None)).ConfigureAwait(false);
                throw new BlePairingException(BlePairingFailure.Timeout, $"the device did not finish pairing within {_settings.PairTimeout.TotalSeconds} s (is it awake and in pairing mode?); pairing cancelled");
            }
            catch (DBusErrorReplyException e) when (e.ErrorName == AlreadyExists)
            {
                return "already paired";
            }
            catch (DBusErrorReplyException e)
            {
                throw Explain(e, agent, passkey);
            }

            return agent.Asked is { } asked ? $"{asked} entry" : "just works";
        }
        finally
        {
            await Tolerating(null, Bounded(manager.UnregisterAgentAsync(agent.Path), "UnregisterAgent", CancellationToken.None)).ConfigureAwait(false);
            session.Bus.Connection.RemoveMethodHandler(agent.Path);
        }
    }

    /// <summary>What BlueZ's refusal of Pair means for the nurse, using what the agent was asked.</summary>
    private static BlePairingException Explain(DBusErrorReplyException e, PairingAgent agent, uint? passkey) => agent.Refusal switch
    {
        BlePairingFailure.PasskeyMissing => new(BlePairingFailure.PasskeyMissing, "the device asks for the passkey it shows: give its 6 digits (edgetwin ble pair ADDRESS --passkey NNNNNN)", e),
        BlePairingFailure.PasskeyRefused => new(BlePairingFailure.PasskeyRefused, "the number given is not the one the device shows; pair again with the number it shows now", e),
        _ when passkey is not null && agent.Asked is "passkey" && e.ErrorName is "org.bluez.Error.AuthenticationFailed" or "org.bluez.Error.AuthenticationRejected"
            => new(BlePairingFailure.PasskeyRefused, "the device refused the passkey: it is not the one the device shows; pair again with the number it shows now (many show a new one each time)", e),
        _ => new(BlePairingFailure.Refused, $"the device did not pair: {e.ErrorName}: {e.ErrorMessage}", e),
    };

    /// <summary>Runs one operation on its own connection, one at a time; failures logged and counted as <paramref name="failed"/>.</summary>
    private async Task<T> OneAtATimeAsync<T>(string device, string failed, Func<Session, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (!await _one.WaitAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            throw Counted(device, failed, new BlePairingException(BlePairingFailure.Busy, "another scan, pairing or forget is running on this box; try again when it has finished"));
        }

        try
        {
            using var bus = new BluezBus(_settings.BusAddress);
            try
            {
                await Bounded(bus.ConnectAsync(), "connect to the bus", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not BlePairingException and not OperationCanceledException)
            {
                throw new BlePairingException(BlePairingFailure.Unavailable, $"no D-Bus {(_settings.BusAddress is null ? "system bus" : "bus at " + _settings.BusAddress)} ({e.Message}): is this a box with Bluetooth (bluez, dbus)?", e);
            }

            var session = new Session(bus, new BluezObjectManager(bus), BluezNames.AdapterPath(_settings.Adapter));
            return await operation(session).ConfigureAwait(false);
        }
        catch (BlePairingException e)
        {
            throw Counted(device, failed, e);
        }
        catch (DBusErrorReplyException e)
        {
            throw Counted(device, failed, new BlePairingException(BlePairingFailure.Refused, $"BlueZ refused: {e.ErrorName}: {e.ErrorMessage}", e));
        }
        catch (BluezReplyException e)
        {
            throw Counted(device, failed, new BlePairingException(BlePairingFailure.Unavailable, $"BlueZ gave an answer the box cannot read, so nothing was done with it: {e.Message}", e));
        }
        catch (DBusConnectionClosedException e)
        {
            throw Counted(device, failed, new BlePairingException(BlePairingFailure.Unavailable, $"the D-Bus connection was lost: {e.Message}", e));
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>BlueZ's objects; BlueZ absent, access denied or the adapter missing make pairing unavailable.</summary>
    private async Task<BluezObjects> ObjectsAsync(Session session, CancellationToken cancellationToken)
    {
        BluezObjects objects;
        try
        {
            objects = await Bounded(session.Manager.GetManagedObjectsAsync(), "GetManagedObjects", cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName.StartsWith("org.freedesktop.DBus.Error.", StringComparison.Ordinal))
        {
            var hint = e.ErrorName.EndsWith(".AccessDenied", StringComparison.Ordinal) ? "the gateway may not call BlueZ (hardware/ble.md, Permissions)" : "is bluetoothd running? (systemctl status bluetooth)";
            throw new BlePairingException(BlePairingFailure.Unavailable, $"BlueZ is not reachable: {e.ErrorName}: {e.ErrorMessage}; {hint}", e);
        }

        return objects.Find(session.AdapterPath, BluezNames.Adapter1) is not null
            ? objects
            : throw new BlePairingException(BlePairingFailure.Unavailable, $"BlueZ has no adapter {_settings.Adapter} (bluetoothctl list; a USB dongle is often hci1)");
    }

    private string Known(BluezObjects objects, string address)
    {
        var path = BluezNames.DevicePath(_settings.Adapter, address);
        return objects.Find(path, BluezNames.Device1) is not null
            ? path
            : throw new BlePairingException(BlePairingFailure.NotFound, $"BlueZ does not know {address} on {_settings.Adapter}: wake the device (or put it in pairing mode) and scan first");
    }

    private IReadOnlyList<BleDevice> Devices(BluezObjects objects)
    {
        var prefix = BluezNames.AdapterPath(_settings.Adapter) + "/dev_";
        var devices = new List<BleDevice>();
        foreach (var (p, interfaces) in objects.Paths)
        {
            if (!p.StartsWith(prefix, StringComparison.Ordinal) || p.IndexOf('/', prefix.Length) >= 0 || !interfaces.TryGetValue(BluezNames.Device1, out var d))
            {
                continue;
            }

            var uuids = BluezValues.Strings(d, "UUIDs").Select(x => x.ToLowerInvariant()).ToArray();
            devices.Add(new BleDevice(
                BluezValues.String(d, "Address")?.ToUpperInvariant() ?? p[prefix.Length..].Replace('_', ':'),
                d.ContainsKey("Name") ? BluezValues.String(d, "Name") : BluezValues.String(d, "Alias"),
                BluezValues.Integer(d, "RSSI"),
                uuids,
                [.. uuids.SelectMany(BleProfiles.ForService).Distinct()],
                BluezValues.Flag(d, "Paired"),
                BluezValues.Flag(d, "Bonded"),
                BluezValues.Flag(d, "Trusted"),
                BluezValues.Flag(d, "Connected")));
        }

        return [.. devices.OrderByDescending(x => x.Profiles.Count > 0).ThenByDescending(x => x.Rssi ?? int.MinValue).ThenBy(x => x.Address, StringComparer.Ordinal)];
    }

    private BlePairingException Counted(string device, string what, BlePairingException e)
    {
        DriverMetrics.Pairing(device, what, e.Reason);
        LogFailed(_logger, what, device, e.Reason, e.Message);
        return e;
    }

    private async Task Bounded(Task call, string what, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(_settings.CallTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new BlePairingException(BlePairingFailure.Timeout, $"BlueZ did not answer {what} within {_settings.CallTimeout.TotalSeconds} s", e);
        }
    }

    private async Task<T> Bounded<T>(Task<T> call, string what, CancellationToken cancellationToken)
    {
        await Bounded((Task)call, what, cancellationToken).ConfigureAwait(false);
        return await call.ConfigureAwait(false);
    }

    /// <summary>Awaits a call whose failure does not matter here (<paramref name="errorName"/> only, or any when null), logging what it was.</summary>
    private async Task Tolerating(string? errorName, Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception e) when ((e is DBusErrorReplyException d && (errorName is null || d.ErrorName == errorName)) || (errorName is null && e is BlePairingException or BluezReplyException or DBusConnectionClosedException))
        {
            LogTolerated(_logger, e.Message);
        }
    }

    private sealed record Session(BluezBus Bus, BluezObjectManager Manager, string AdapterPath);

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [LoggerMessage(EventId = 4520, Level = LogLevel.Information, Message = "Bluetooth scan on {Adapter} for {Seconds} s: {Count} devices known, {Health} with a supported health service")]
    private static partial void LogScanned(ILogger logger, string adapter, double seconds, int count, int health);

    [LoggerMessage(EventId = 4521, Level = LogLevel.Information, Message = "Paired {Address} ({Name}) on {Adapter}: bonded {Bonded}, trusted; {Method}")]
    private static partial void LogPaired(ILogger logger, string address, string name, string adapter, bool bonded, string method);

    [LoggerMessage(EventId = 4522, Level = LogLevel.Warning, Message = "Bluetooth {What} for {Device}: {Reason}: {Message}")]
    private static partial void LogFailed(ILogger logger, string what, string device, string reason, string message);

    [LoggerMessage(EventId = 4523, Level = LogLevel.Information, Message = "Forgot {Address} on {Adapter}: its pairing is removed from BlueZ")]
    private static partial void LogForgot(ILogger logger, string address, string adapter);

    [LoggerMessage(EventId = 4524, Level = LogLevel.Information, Message = "Bluetooth: a clean-up call failed, which changes nothing: {Message}")]
    private static partial void LogTolerated(ILogger logger, string message);
}
