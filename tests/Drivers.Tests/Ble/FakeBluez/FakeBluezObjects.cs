namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

public sealed class FakeGattService(ObjectPath path, ObjectPath device, string uuid)
    : FakeBluezObject(path, "org.bluez.GattService1", new Dictionary<string, object> { ["UUID"] = uuid, ["Primary"] = true, ["Device"] = device }), IFakeGattService1;
