namespace EdgeTwin.Drivers.Ble.Pairing;

using EdgeTwin.Drivers.Ble.BlueZ;
using Microsoft.Extensions.Logging;
using Tmds.DBus;

/// <summary>
/// The box's <c>org.bluez.Agent1</c>, exported only while one pairing runs and answering only for
/// the device being paired. Its capability is <c>KeyboardOnly</c>: the device shows a passkey and the
/// nurse gives it in the pair request (BlueZ asks RequestPasskey), or the device needs no passkey
/// (Just Works, nothing asked). A request with no passkey to give, for another device, or of a kind
/// the box cannot answer (PIN code, confirm a number that was not given) is refused with
/// <c>org.bluez.Error.Rejected</c>, logged, and remembered so the pairing's failure says why.
/// </summary>
internal sealed partial class PairingAgent(ILogger logger) : IBluezAgent1
{
    public const string Capability = "KeyboardOnly";
    private const string Rejected = "org.bluez.Error.Rejected";

    private readonly Lock _gate = new();
    private ObjectPath? _device;
    private uint? _passkey;
    private BlePairingFailure? _refusal;
    private string? _asked;

    public ObjectPath ObjectPath { get; } = new("/org/edgetwin/pairing/agent");

    /// <summary>What BlueZ asked of the agent during the current pairing (null: nothing, Just Works).</summary>
    public string? Asked
    {
        get
        {
            lock (_gate)
            {
                return _asked;
            }
        }
    }

    /// <summary>Why the agent refused BlueZ during the current pairing, if it did.</summary>
    public BlePairingFailure? Refusal
    {
        get
        {
            lock (_gate)
            {
                return _refusal;
            }
        }
    }

    /// <summary>The device being paired now and the passkey the nurse gave for it (null: none given).</summary>
    public void Expect(ObjectPath device, uint? passkey)
    {
        lock (_gate)
        {
            (_device, _passkey, _refusal, _asked) = (device, passkey, null, null);
        }
    }

    public Task<uint> RequestPasskeyAsync(ObjectPath device)
    {
        lock (_gate)
        {
            _asked = "passkey";
            if (device != _device)
            {
                throw Refuse(device, "RequestPasskey", "not the device being paired", BlePairingFailure.Refused);
            }

            return _passkey is { } passkey
                ? Task.FromResult(passkey)
                : throw Refuse(device, "RequestPasskey", "the device asks for the passkey it shows and none was given", BlePairingFailure.PasskeyMissing);
        }
    }

    public Task RequestConfirmationAsync(ObjectPath device, uint passkey)
    {
        lock (_gate)
        {
            _asked = "confirmation";
            if (device != _device)
            {
                throw Refuse(device, "RequestConfirmation", "not the device being paired", BlePairingFailure.Refused);
            }

            // Numeric comparison: confirmed only when the nurse gave the number the device shows.
            return _passkey == passkey
                ? Task.CompletedTask
                : throw Refuse(device, "RequestConfirmation", _passkey is null ? "the device asks to confirm the number it shows and none was given" : "the number given is not the one the device shows",
                    _passkey is null ? BlePairingFailure.PasskeyMissing : BlePairingFailure.PasskeyRefused);
        }
    }

    public Task RequestAuthorizationAsync(ObjectPath device)
    {
        lock (_gate)
        {
            _asked = "authorization";
            return device == _device ? Task.CompletedTask : throw Refuse(device, "RequestAuthorization", "not the device being paired", BlePairingFailure.Refused);
        }
    }

    public Task AuthorizeServiceAsync(ObjectPath device, string uuid)
    {
        lock (_gate)
        {
            return device == _device ? Task.CompletedTask : throw Refuse(device, $"AuthorizeService {uuid}", "not the device being paired", BlePairingFailure.Refused);
        }
    }

    public Task<string> RequestPinCodeAsync(ObjectPath device)
    {
        lock (_gate)
        {
            _asked = "pin-code";
            throw Refuse(device, "RequestPinCode", "legacy PIN pairing (Bluetooth Classic) is not supported; health devices pair over LE", BlePairingFailure.Refused);
        }
    }

    public Task DisplayPinCodeAsync(ObjectPath device, string pincode)
    {
        LogAsked(logger, device.ToString(), "DisplayPinCode", "the box has no display a nurse watches while pairing; ignored");
        return Task.CompletedTask;
    }

    public Task DisplayPasskeyAsync(ObjectPath device, uint passkey, ushort entered)
    {
        LogAsked(logger, device.ToString(), "DisplayPasskey", "the box has no display a nurse watches while pairing; ignored");
        return Task.CompletedTask;
    }

    public Task CancelAsync()
    {
        lock (_gate)
        {
            _refusal ??= BlePairingFailure.Refused;
            LogAsked(logger, _device?.ToString() ?? "?", "Cancel", "BlueZ cancelled the agent's request (the device gave up or timed out)");
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync()
    {
        LogAsked(logger, "-", "Release", "BlueZ released the agent (bluetoothd stopping or the agent replaced)");
        return Task.CompletedTask;
    }

    private DBusException Refuse(ObjectPath device, string request, string reason, BlePairingFailure failure)
    {
        _refusal = failure;
        LogRefused(logger, device.ToString(), request, reason);
        return new DBusException(Rejected, reason);
    }

    [LoggerMessage(EventId = 4525, Level = LogLevel.Warning, Message = "Bluetooth agent refused {Request} for {Device}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string device, string request, string reason);

    [LoggerMessage(EventId = 4526, Level = LogLevel.Information, Message = "Bluetooth agent: {Request} for {Device}: {What}")]
    private static partial void LogAsked(ILogger logger, string device, string request, string what);
}
