namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>
/// <c>org.bluez.Agent1</c> (doc/org.bluez.Agent.rst), exported by the box: BlueZ calls it while a
/// device pairs. A refusal is the D-Bus error <c>org.bluez.Error.Rejected</c> or <c>.Canceled</c>.
/// </summary>
[DBusInterface("org.bluez.Agent1")]
internal interface IBluezAgent1 : IDBusObject
{
    Task ReleaseAsync();

    Task<string> RequestPinCodeAsync(ObjectPath device);

    Task DisplayPinCodeAsync(ObjectPath device, string pincode);

    Task<uint> RequestPasskeyAsync(ObjectPath device);

    Task DisplayPasskeyAsync(ObjectPath device, uint passkey, ushort entered);

    Task RequestConfirmationAsync(ObjectPath device, uint passkey);

    Task RequestAuthorizationAsync(ObjectPath device);

    Task AuthorizeServiceAsync(ObjectPath device, string uuid);

    Task CancelAsync();
}
