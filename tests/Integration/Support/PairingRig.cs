namespace EdgeTwin.Integration.Tests.Support;

using EdgeTwin.Drivers.Tests.Ble.FakeBluez;

/// <summary>
/// A home box before pairing (issue 19): the real gateway in this process with the home-care cuff
/// configured (its driver and the pairing both on the fake BlueZ of a private dbus-daemon), the cuff
/// in range at the address given (test classes run at once and share the drivers' meter), asking for the passkey it shows, and a kitchen speaker in range that is no health device.
/// </summary>
internal sealed class PairingRig : IAsyncDisposable
{
    public const string Speaker = "5C:F3:70:AA:BB:CC";
    public const uint Passkey = 246810;

    private readonly PrivateDBus _bus;

    private PairingRig(string cuffAddress, PrivateDBus bus, FakeBluezService bluez, FakeDevice cuff, Mosquitto mosquitto, InProcessGateway gateway, string data)
    {
        Cuff = cuffAddress;
        _bus = bus;
        Bluez = bluez;
        CuffDevice = cuff;
        Mosquitto = mosquitto;
        Gateway = gateway;
        Data = data;
    }

    public string Cuff { get; }

    public FakeBluezService Bluez { get; }

    public FakeDevice CuffDevice { get; }

    public Mosquitto Mosquitto { get; }

    public InProcessGateway Gateway { get; }

    public string Data { get; }

    public string Url => Gateway.Urls.First();

    public string TokenFile => BoxAdmin.TokenFile(Data);

    public static async Task<PairingRig> StartAsync(string cuffAddress)
    {
        var bus = new PrivateDBus();
        await bus.InitializeAsync();
        var bluez = await FakeBluezService.StartAsync(bus.Address, "A4:C1:38:00:00:01", "00002a37-0000-1000-8000-00805f9b34fb");
        var cuff = bluez.AddInRange(cuffAddress, "BP7000", -52, "00001810-0000-1000-8000-00805f9b34fb");
        cuff.Pairing = FakePairingMethod.Passkey;
        cuff.Passkey = Passkey;
        bluez.AddInRange(Speaker, "Kitchen speaker", -70, "0000110b-0000-1000-8000-00805f9b34fb");
        var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-pairing-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=0", $"--Pairing:Bus={bus.Address}",
            "--Devices:0:Type=ble-gatt", "--Devices:0:Id=cuff", $"--Devices:0:Address={cuffAddress}", "--Devices:0:Profile=blood-pressure", $"--Devices:0:Bus={bus.Address}"));
        BoxAdmin.Token(data);
        return new PairingRig(cuffAddress, bus, bluez, cuff, mosquitto, gateway, data);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.StopAsync();
        await Gateway.DisposeAsync();
        await Bluez.DisposeAsync();
        await _bus.DisposeAsync();
        Mosquitto.Dispose();
        Directory.Delete(Data, recursive: true);
    }
}
