namespace EdgeTwin.Drivers.Ble.Pairing;

using System.Text;
using EdgeTwin.Drivers.Ble.BlueZ;
using EdgeTwin.Drivers.Diagnostics;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

/// <summary>
/// The box's <c>org.bluez.Agent1</c> (doc/org.bluez.Agent.rst), exported only while one pairing runs
/// and answering only BlueZ (the unique name owning org.bluez when the pairing began) and only for the
/// device being paired. Its capability is <c>KeyboardOnly</c>: the device shows a passkey and the nurse
/// gives it in the pair request (BlueZ asks RequestPasskey), or the device needs no passkey (Just
/// Works, nothing asked). A request with no passkey to give, for another device, or of a kind the box
/// cannot answer (PIN code, confirm a number that was not given) is refused with
/// <c>org.bluez.Error.Rejected</c>, logged, and remembered so the pairing's failure says why. A call
/// from another bus peer, or with arguments other than the documented ones, is refused, logged and
/// counted, and changes nothing.
/// </summary>
internal sealed partial class PairingAgent(ILogger logger, string bluez) : IPathMethodHandler
{
    public const string Capability = "KeyboardOnly";
    private const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";

    private static readonly ReadOnlyMemory<byte> Introspection = Encoding.UTF8.GetBytes("""
        <interface name="org.bluez.Agent1">
          <method name="Release"/>
          <method name="RequestPinCode"><arg name="device" type="o" direction="in"/><arg name="pincode" type="s" direction="out"/></method>
          <method name="DisplayPinCode"><arg name="device" type="o" direction="in"/><arg name="pincode" type="s" direction="in"/></method>
          <method name="RequestPasskey"><arg name="device" type="o" direction="in"/><arg name="passkey" type="u" direction="out"/></method>
          <method name="DisplayPasskey"><arg name="device" type="o" direction="in"/><arg name="passkey" type="u" direction="in"/><arg name="entered" type="q" direction="in"/></method>
          <method name="RequestConfirmation"><arg name="device" type="o" direction="in"/><arg name="passkey" type="u" direction="in"/></method>
          <method name="RequestAuthorization"><arg name="device" type="o" direction="in"/></method>
          <method name="AuthorizeService"><arg name="device" type="o" direction="in"/><arg name="uuid" type="s" direction="in"/></method>
          <method name="Cancel"/>
        </interface>

        """);

    private readonly Lock _gate = new();
    private string? _device;
    private uint? _passkey;
    private BlePairingFailure? _refusal;
    private string? _asked;

    public string Path => "/org/edgetwin/pairing/agent";

    public bool HandlesChildPaths => false;

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
    public void Expect(string device, uint? passkey)
    {
        lock (_gate)
        {
            (_device, _passkey, _refusal, _asked) = (device, passkey, null, null);
        }
    }

    /// <summary>
    /// Answers one call on the agent's path. Runs on the connection's receive loop and never throws
    /// (an exception there would close the connection): every refusal is an error reply.
    /// </summary>
    public ValueTask HandleMethodAsync(MethodContext context)
    {
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([Introspection]);
            return default;
        }

        var request = context.Request;
        var member = request.MemberAsString ?? "";
        if (request.InterfaceAsString != BluezNames.Agent1 || Documented(member) is not { } signature)
        {
            context.ReplyUnknownMethodError();
            return default;
        }

        var sender = request.SenderAsString ?? "";
        if (sender != bluez)
        {
            Foreign(context, sender, member, $"the caller {sender} is not BlueZ ({bluez})", "not-bluez");
            return default;
        }

        if (request.SignatureAsString != signature)
        {
            Foreign(context, sender, member, $"its arguments are ({request.SignatureAsString}), not the documented ({signature})", "invalid");
            return default;
        }

        var reader = request.GetBodyReader();
        try
        {
            Answer(context, member, ref reader);
        }
        catch (AgentRefusal refusal)
        {
            context.ReplyError(BluezNames.Rejected, refusal.Message);
        }

        return default;
    }

    /// <summary>The signature BlueZ calls a member with; null for a member Agent1 does not have.</summary>
    private static string? Documented(string member) => member switch
    {
        "Release" or "Cancel" => "",
        "RequestPinCode" or "RequestPasskey" or "RequestAuthorization" => "o",
        "DisplayPinCode" or "AuthorizeService" => "os",
        "DisplayPasskey" => "ouq",
        "RequestConfirmation" => "ou",
        _ => null,
    };

    private void Answer(MethodContext context, string member, ref Reader reader)
    {
        switch (member)
        {
            case "RequestPasskey":
                var passkey = RequestPasskey(reader.ReadObjectPathAsString());
                using (var writer = context.CreateReplyWriter("u"))
                {
                    writer.WriteUInt32(passkey);
                    context.Reply(writer.CreateMessage());
                }

                return;
            case "RequestPinCode":
                RequestPinCode(reader.ReadObjectPathAsString());
                return;
            case "RequestConfirmation":
                RequestConfirmation(reader.ReadObjectPathAsString(), reader.ReadUInt32());
                break;
            case "RequestAuthorization":
                RequestAuthorization(reader.ReadObjectPathAsString());
                break;
            case "AuthorizeService":
                AuthorizeService(reader.ReadObjectPathAsString(), reader.ReadString());
                break;
            case "DisplayPinCode" or "DisplayPasskey":
                LogAsked(logger, reader.ReadObjectPathAsString(), member, "the box has no display a nurse watches while pairing; ignored");
                break;
            case "Cancel":
                Cancel();
                break;
            case "Release":
                LogAsked(logger, "-", "Release", "BlueZ released the agent (bluetoothd stopping or the agent replaced)");
                break;
        }

        using var done = context.CreateReplyWriter(null);
        context.Reply(done.CreateMessage());
    }

    private uint RequestPasskey(string device)
    {
        lock (_gate)
        {
            _asked = "passkey";
            if (device != _device)
            {
                throw Refuse(device, "RequestPasskey", "not the device being paired", BlePairingFailure.Refused);
            }

            return _passkey ?? throw Refuse(device, "RequestPasskey", "the device asks for the passkey it shows and none was given", BlePairingFailure.PasskeyMissing);
        }
    }

    private void RequestConfirmation(string device, uint passkey)
    {
        lock (_gate)
        {
            _asked = "confirmation";
            if (device != _device)
            {
                throw Refuse(device, "RequestConfirmation", "not the device being paired", BlePairingFailure.Refused);
            }

            // Numeric comparison: confirmed only when the nurse gave the number the device shows.
            if (_passkey != passkey)
            {
                throw Refuse(device, "RequestConfirmation", _passkey is null ? "the device asks to confirm the number it shows and none was given" : "the number given is not the one the device shows",
                    _passkey is null ? BlePairingFailure.PasskeyMissing : BlePairingFailure.PasskeyRefused);
            }
        }
    }

    private void RequestAuthorization(string device)
    {
        lock (_gate)
        {
            _asked = "authorization";
            if (device != _device)
            {
                throw Refuse(device, "RequestAuthorization", "not the device being paired", BlePairingFailure.Refused);
            }
        }
    }

    private void AuthorizeService(string device, string uuid)
    {
        lock (_gate)
        {
            if (device != _device)
            {
                throw Refuse(device, $"AuthorizeService {uuid}", "not the device being paired", BlePairingFailure.Refused);
            }
        }
    }

    private void RequestPinCode(string device)
    {
        lock (_gate)
        {
            _asked = "pin-code";
            throw Refuse(device, "RequestPinCode", "legacy PIN pairing (Bluetooth Classic) is not supported; health devices pair over LE", BlePairingFailure.Refused);
        }
    }

    private void Cancel()
    {
        lock (_gate)
        {
            _refusal ??= BlePairingFailure.Refused;
            LogAsked(logger, _device ?? "?", "Cancel", "BlueZ cancelled the agent's request (the device gave up or timed out)");
        }
    }

    private AgentRefusal Refuse(string device, string request, string reason, BlePairingFailure failure)
    {
        _refusal = failure;
        LogRefused(logger, device, request, reason);
        return new AgentRefusal(reason);
    }

    /// <summary>A call the agent does not take at all (another peer, malformed arguments): refused, logged and counted; the pairing's state is untouched.</summary>
    private void Foreign(MethodContext context, string sender, string member, string reason, string why)
    {
        LogRefused(logger, sender, member, reason);
        DriverMetrics.Pairing(sender, "agent-refused", why);
        context.ReplyError(why == "invalid" ? InvalidArgs : BluezNames.Rejected, $"{member} refused: {reason}");
    }

    /// <summary>Why the agent refuses BlueZ's request; the reply is <c>org.bluez.Error.Rejected</c> with this message.</summary>
    private sealed class AgentRefusal(string reason) : Exception(reason);

    [LoggerMessage(EventId = 4525, Level = LogLevel.Warning, Message = "Bluetooth agent refused {Request} for {Device}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string device, string request, string reason);

    [LoggerMessage(EventId = 4526, Level = LogLevel.Information, Message = "Bluetooth agent: {Request} for {Device}: {What}")]
    private static partial void LogAsked(ILogger logger, string device, string request, string what);
}
