namespace EdgeTwin.Integration.Tests.Cli;

using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// <c>edgetwin ble</c> as the nurse runs it (hardware/ble.md, "Pairing a device") against the real
/// gateway, BlueZ being the fake bluetoothd on a private dbus-daemon.
/// </summary>
public sealed class BleCommandTests
{
    [Fact]
    public async Task ScanPairWithThePasskeyListAndForget_TheCuff_ARefusalExits1WithTheReason()
    {
        await using var rig = await PairingRig.StartAsync("A0:9E:1A:65:43:21");
        string[] box = ["--gateway", rig.Url, "--token-file", rig.TokenFile];

        var scan = await Tool.RunAsync(["ble", "scan", "--seconds", "1", .. box]);
        var noPasskey = await Tool.RunAsync(["ble", "pair", rig.Cuff, .. box]);
        var pair = await Tool.RunAsync(["ble", "pair", rig.Cuff, "--passkey", "246810", .. box]);
        var listed = await Tool.RunAsync(["ble", "list", .. box]);
        var forget = await Tool.RunAsync(["ble", "forget", rig.Cuff, .. box]);
        var afterwards = await Tool.RunAsync(["ble", "list", .. box]);

        Assert.True(scan.Code == 0, scan.Err);
        // Once BlueZ knows the cuff, its configured driver may already have connected it.
        Assert.Matches($"{rig.Cuff}  BP7000  -52 dBm  blood-pressure  (not paired|connected)  configured: cuff", scan.Out);
        Assert.Contains($"{PairingRig.Speaker}  Kitchen speaker  -70 dBm  not a health device the box reads", scan.Out, StringComparison.Ordinal);
        Assert.Equal(1, noPasskey.Code);
        Assert.Contains("422 passkey-missing: the device asks for the passkey it shows", noPasskey.Err, StringComparison.Ordinal);
        Assert.True(pair.Code == 0, pair.Err);
        Assert.Contains($"paired {rig.Cuff}  BP7000", pair.Out, StringComparison.Ordinal);
        Assert.Contains("  paired bonded trusted", pair.Out, StringComparison.Ordinal);
        Assert.Contains("bind it to the patient as: cuff", pair.Out, StringComparison.Ordinal);
        Assert.Matches("paired bonded trusted( connected)?  configured: cuff", listed.Out);
        Assert.True(forget.Code == 0, forget.Err);
        Assert.Contains($"forgot {rig.Cuff}", forget.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Cuff, afterwards.Out, StringComparison.Ordinal);
        Assert.False(rig.Bluez.Knows(rig.CuffDevice));
    }

    [Fact]
    public async Task ATokenFileOthersCanRead_OrAWrongToken_IsRefused_AndNothingIsPaired()
    {
        await using var rig = await PairingRig.StartAsync("A0:9E:1A:65:43:21");
        var loose = Path.Combine(rig.Data, "loose-token");
        File.Copy(rig.TokenFile, loose);
        File.SetUnixFileMode(loose, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var other = Path.Combine(rig.Data, "other-token");
        File.WriteAllText(other, new string('0', 64) + "\n");
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var looseRun = await Tool.RunAsync("ble", "pair", rig.Cuff, "--passkey", "246810", "--gateway", rig.Url, "--token-file", loose);
        var otherRun = await Tool.RunAsync("ble", "pair", rig.Cuff, "--passkey", "246810", "--gateway", rig.Url, "--token-file", other);

        Assert.Equal(2, looseRun.Code);
        Assert.Contains(loose, looseRun.Err, StringComparison.Ordinal);
        Assert.Equal(2, otherRun.Code);
        Assert.Contains("401", otherRun.Err, StringComparison.Ordinal);
        Assert.Equal(false, rig.CuffDevice.Get("Paired"));
        Assert.Empty(rig.Bluez.Agents.Calls);
    }
}
