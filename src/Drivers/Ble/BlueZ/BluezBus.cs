namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary>Reads the body of a reply or signal whose signature has been checked.</summary>
internal delegate T BodyReader<T>(ref Reader reader);

/// <summary>
/// One connection to the bus BlueZ is on, with what every hand-written BlueZ proxy needs: method calls
/// to org.bluez, Properties Get and Set, and BlueZ's signals. On Tmds.DBus.Protocol, which generates
/// nothing at run time, so the NativeAOT gateway reads devices and pairs them too. A reply or signal
/// whose signature is not the documented one is refused whole: a <see cref="BluezReplyException"/>
/// for a reply, a <see cref="BluezSignal{T}.Problem"/> for a signal. A BlueZ error is Tmds.DBus.Protocol's
/// <see cref="DBusErrorReplyException"/> with BlueZ's error name. Signals are taken only from the
/// owner of org.bluez (the library checks the sender).
/// </summary>
internal sealed class BluezBus(string? address) : IDisposable
{
    /// <summary>The system bus where DBUS_SYSTEM_BUS_ADDRESS does not say otherwise.</summary>
    private const string SystemBus = "unix:path=/var/run/dbus/system_bus_socket";

    public DBusConnection Connection { get; } = new(address ?? DBusAddress.System ?? SystemBus);

    /// <summary>The unique name the bus gave this connection (:1.42).</summary>
    public string UniqueName => Connection.UniqueName ?? "";

    public Task ConnectAsync() => Connection.ConnectAsync().AsTask();

    /// <summary>Completes when the connection ends, with the reason (null when it was disposed here).</summary>
    public Task<Exception?> DisconnectedAsync() => Connection.DisconnectedAsync();

    public void Dispose() => Connection.Dispose();

    /// <summary>A method call to BlueZ: the caller writes the arguments of <paramref name="signature"/>, then creates the message.</summary>
    public MessageWriter Call(string path, string @interface, string member, string? signature = null)
    {
        var writer = Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: BluezNames.Service, path: path, @interface: @interface, member: member, signature: signature);
        return writer;
    }

    /// <summary>A call without arguments whose answer carries nothing the box uses.</summary>
    public Task CallAsync(string path, string @interface, string member)
    {
        using var writer = Call(path, @interface, member);
        return Connection.CallMethodAsync(writer.CreateMessage());
    }

    /// <summary>A call with one object path argument whose answer carries nothing the box uses.</summary>
    public Task CallAsync(string path, string @interface, string member, string objectPath)
    {
        using var writer = Call(path, @interface, member, "o");
        writer.WriteObjectPath(objectPath);
        return Connection.CallMethodAsync(writer.CreateMessage());
    }

    public Task SendAsync(MessageBuffer message) => Connection.CallMethodAsync(message);

    /// <summary>Sends <paramref name="message"/> and reads the answer, which must have the body <paramref name="signature"/>.</summary>
    public Task<T> CallAsync<T>(MessageBuffer message, string what, string signature, BodyReader<T> read)
    {
        var expected = new Expected<T>($"the answer to {what}", signature, read);
        return Connection.CallMethodAsync(message, (reply, _) => expected.Read(reply));
    }

    /// <summary>A boolean property (Device1.Paired, Connected ...); a value of another type is a <see cref="BluezReplyException"/>.</summary>
    public async Task<bool> GetBoolAsync(string path, string @interface, string property)
    {
        var value = await CallAsync(GetMessage(path, @interface, property), $"Get {property}", "v", static (ref Reader r) => r.ReadVariantValue()).ConfigureAwait(false);
        return value.Type == VariantValueType.Bool
            ? value.GetBool()
            : throw new BluezReplyException($"BlueZ answered Get {property} with a value of type {value.Type}, not the boolean {@interface} documents");
    }

    public Task SetAsync(string path, string @interface, string property, bool value)
    {
        using var writer = Call(path, BluezNames.Properties, "Set", "ssv");
        writer.WriteString(@interface);
        writer.WriteString(property);
        writer.WriteVariantBool(value);
        return Connection.CallMethodAsync(writer.CreateMessage());
    }

    /// <summary>The unique name that owns <paramref name="name"/> now (org.freedesktop.DBus.GetNameOwner).</summary>
    public Task<string> GetNameOwnerAsync(string name)
    {
        using var writer = Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", @interface: "org.freedesktop.DBus", member: "GetNameOwner", signature: "s");
        writer.WriteString(name);
        return CallAsync(writer.CreateMessage(), "GetNameOwner", "s", static (ref Reader r) => r.ReadString());
    }

    /// <summary>
    /// Watches a signal of the BlueZ object at <paramref name="path"/> (<paramref name="arg0"/>: its first
    /// argument must be this string). The handler gets every signal, a malformed one with its problem; it must not throw.
    /// </summary>
    public async Task<IDisposable> WatchAsync<T>(string path, string @interface, string member, string? arg0, string signature, BodyReader<T> read, Action<BluezSignal<T>> handler)
    {
        var rule = new MatchRule { Type = MessageType.Signal, Sender = BluezNames.Service, Path = path, Interface = @interface, Member = member, Arg0 = arg0 };
        var expected = new Expected<T>($"the {member} signal of {path}", signature, read);
        return await Connection.AddMatchAsync(
            rule,
            (message, _) => expected.TryRead(message),
            (Notification<BluezSignal<T>> n) =>
            {
                if (n.HasValue)
                {
                    handler(n.Value);
                }
            },
            emitOnCapturedContext: false).ConfigureAwait(false);
    }

    /// <summary>PropertiesChanged of <paramref name="interface"/> on the object at <paramref name="path"/>: the changed properties.</summary>
    public Task<IDisposable> WatchPropertiesAsync(string path, string @interface, Action<BluezSignal<IReadOnlyDictionary<string, VariantValue>>> handler) =>
        WatchAsync<IReadOnlyDictionary<string, VariantValue>>(path, BluezNames.Properties, "PropertiesChanged", @interface, "sa{sv}as", static (ref Reader r) =>
        {
            r.ReadString();
            return r.ReadDictionaryOfStringToVariantValue();
        }, handler);

    private MessageBuffer GetMessage(string path, string @interface, string property)
    {
        using var writer = Call(path, BluezNames.Properties, "Get", "ss");
        writer.WriteString(@interface);
        writer.WriteString(property);
        return writer.CreateMessage();
    }

    /// <summary>The documented body of a reply or signal, and how to read it.</summary>
    private sealed class Expected<T>(string what, string signature, BodyReader<T> read)
    {
        public T Read(Message message)
        {
            var actual = message.SignatureAsString;
            if (actual != signature)
            {
                throw new BluezReplyException($"{what} has the body ({actual}), not the documented ({signature})");
            }

            var reader = message.GetBodyReader();
            try
            {
                return read(ref reader);
            }
            catch (Exception e) when (e is not BluezReplyException)
            {
                throw new BluezReplyException($"{what} could not be read: {e.Message}", e);
            }
        }

        public BluezSignal<T> TryRead(Message message)
        {
            try
            {
                return new BluezSignal<T>(Read(message), null);
            }
            catch (BluezReplyException e)
            {
                return new BluezSignal<T>(default, e.Message);
            }
        }
    }
}
