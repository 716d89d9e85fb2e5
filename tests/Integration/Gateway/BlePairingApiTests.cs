namespace EdgeTwin.Integration.Tests.Gateway;

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// Pairing a home-care device from the box (issue 19) through the real gateway's local API, BlueZ
/// being a fake bluetoothd on a private dbus-daemon that calls the gateway's agent back over the bus:
/// only the admin token may scan, pair or forget; bad input is refused before BlueZ is asked.
/// </summary>
public sealed class BlePairingApiTests
{
    /// <summary>"what/reason=n ..." of <c>edgetwin_ble_pairing</c> for one device (the not-found refusals come before the scan, under pair-failed and forget-failed).</summary>
    private static string Pairings(string metrics, string device) => string.Join(' ', Regex.Matches(metrics, @"^edgetwin_ble_pairing(_total)?\{(?<labels>[^}]*)\} (?<n>\d+)", RegexOptions.Multiline)
        .Where(m => m.Groups["labels"].Value.Contains($"device=\"{device}\"", StringComparison.Ordinal))
        .Select(m => $"{Label(m, "what")}/{Label(m, "reason")}={m.Groups["n"].Value}")
        .Where(p => !p.Contains("not-found", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal));

    private static string Label(Match m, string name) => Regex.Match(m.Groups["labels"].Value, name + @"=""(?<v>[^""]*)""").Groups["v"].Value;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonNode Body)> Read(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task WithoutTheAdminToken_EveryBleRouteIs401_AndNothingIsAskedOfBluez()
    {
        await using var rig = await PairingRig.StartAsync("A0:9E:1A:12:34:56");
        using var anyone = new HttpClient { BaseAddress = new Uri(rig.Url) };

        var statuses = new[]
        {
            (await anyone.PostAsync("/ble/scan", Json("{}"))).StatusCode,
            (await anyone.GetAsync("/ble/devices")).StatusCode,
            (await anyone.PostAsync("/ble/pair", Json($$"""{"address":"{{rig.Cuff}}","passkey":"246810"}"""))).StatusCode,
            (await anyone.DeleteAsync($"/ble/devices/{rig.Cuff}")).StatusCode,
        };

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(false, rig.Bluez.Adapter.Get("Discovering"));
        Assert.Empty(rig.Bluez.Agents.Calls);
        Assert.False(rig.Bluez.Knows(rig.CuffDevice));
    }

    [Theory]
    [InlineData("/ble/pair", """{"address":"A0:9E:1A:12:34"}""", "address: a Bluetooth address")]
    [InlineData("/ble/pair", """{"address":"A0:9E:1A:12:34:56","passkey":"24681x"}""", "passkey: the 6 digits")]
    [InlineData("/ble/pair", """{"address":"A0:9E:1A:12:34:56","passkey":"2468100"}""", "passkey: the 6 digits")]
    [InlineData("/ble/pair", """{"address":"A0:9E:1A:12:34:56","pass_key":"246810"}""", "unknown member 'pass_key'")]
    [InlineData("/ble/pair", """{"address":""", "malformed JSON")]
    [InlineData("/ble/pair", "", "a JSON object with address, passkey")]
    [InlineData("/ble/scan", """{"seconds":600}""", "seconds: a whole number of seconds, 1-60")]
    public async Task BadInput_Is400WithTheReason_AndNothingIsAskedOfBluez(string path, string body, string problem)
    {
        await using var rig = await PairingRig.StartAsync("A0:9E:1A:12:34:56");
        using var admin = BoxAdmin.Client(rig.Url, rig.Data);

        var (status, answer) = await Read(admin.PostAsync(path, Json(body)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem, answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(false, rig.Bluez.Adapter.Get("Discovering"));
        Assert.Empty(rig.Bluez.Agents.Calls);
        Assert.Equal(false, rig.CuffDevice.Get("Paired"));
    }

    [Fact]
    public async Task NurseScansPairsWithThePasskeyBindsAndForgets_TheCuff_UnknownIs404_MissingPasskeyIs422_AllCounted()
    {
        await using var rig = await PairingRig.StartAsync("A0:9E:1A:12:34:56");
        using var admin = BoxAdmin.Client(rig.Url, rig.Data);

        var (unknown, notFound) = await Read(admin.PostAsync("/ble/pair", Json($$"""{"address":"{{rig.Cuff}}"}""")));
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (unknown, notFound["reason"]!.GetValue<string>()));

        var (scanned, scan) = await Read(admin.PostAsync("/ble/scan", Json("""{"seconds":1}""")));
        Assert.Equal(HttpStatusCode.OK, scanned);
        var cuff = scan["devices"]!.AsArray().Single(d => d!["address"]!.GetValue<string>() == rig.Cuff)!;
        Assert.Equal(("BP7000", -52, false), (cuff["name"]!.GetValue<string>(), cuff["rssi"]!.GetValue<int>(), cuff["paired"]!.GetValue<bool>()));
        Assert.Equal("[\"blood-pressure\"]", cuff["profiles"]!.ToJsonString());
        Assert.Equal("[\"cuff\"]", cuff["configured"]!.ToJsonString());
        var speaker = scan["devices"]!.AsArray().Single(d => d!["address"]!.GetValue<string>() == PairingRig.Speaker)!;
        Assert.Equal("[]", speaker["profiles"]!.ToJsonString());

        var (withoutPasskey, missing) = await Read(admin.PostAsync("/ble/pair", Json($$"""{"address":"{{rig.Cuff}}"}""")));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "passkey-missing"), (withoutPasskey, missing["reason"]!.GetValue<string>()));
        Assert.Contains("give its 6 digits", missing["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(false, rig.CuffDevice.Get("Paired"));

        var (wrong, refused) = await Read(admin.PostAsync("/ble/pair", Json($$"""{"address":"{{rig.Cuff}}","passkey":"135790"}""")));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "passkey-refused"), (wrong, refused["reason"]!.GetValue<string>()));
        Assert.Equal(false, rig.CuffDevice.Get("Paired"));

        var (ok, paired) = await Read(admin.PostAsync("/ble/pair", Json($$"""{"address":"{{rig.Cuff.ToLowerInvariant()}}","passkey":"246810"}""")));
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal((true, true, true), (paired["paired"]!.GetValue<bool>(), paired["bonded"]!.GetValue<bool>(), paired["trusted"]!.GetValue<bool>()));
        Assert.Equal((true, true), (rig.CuffDevice.Get("Paired"), rig.CuffDevice.Get("Trusted")));
        Assert.Contains($"RequestPasskey {rig.CuffDevice.ObjectPath}", rig.Bluez.Agents.Calls);
        Assert.Equal(0, rig.Bluez.Agents.Registered);

        // The id the answer names is the one the twin's binding takes (the same POST /twin/bindings as for any device).
        var bound = await admin.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-7","bed":"home","devices":["cuff"]}"""));
        Assert.True(bound.IsSuccessStatusCode, await bound.Content.ReadAsStringAsync());

        var (forgot, _) = await Read(admin.DeleteAsync($"/ble/devices/{rig.Cuff}"));
        var (again, gone) = await Read(admin.DeleteAsync($"/ble/devices/{rig.Cuff}"));
        Assert.Equal(HttpStatusCode.OK, forgot);
        Assert.False(rig.Bluez.Knows(rig.CuffDevice));
        Assert.Equal(false, rig.CuffDevice.Get("Paired"));
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (again, gone["reason"]!.GetValue<string>()));

        // The exporter may answer from a cache for a moment.
        await Wait.UntilAsync(async () => Pairings(await admin.GetStringAsync("/metrics"), rig.Cuff) == "forget/none=1 pair-failed/passkey-missing=1 pair-failed/passkey-refused=1 pair/none=1", TimeSpan.FromSeconds(30),
            () => "edgetwin_ble_pairing: " + Pairings(admin.GetStringAsync("/metrics").GetAwaiter().GetResult(), rig.Cuff));
    }

    [Fact]
    public async Task WithoutBluez_TheGatewayStarts_AndTheBleRoutesAre503WithTheReason()
    {
        using var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-pairing-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Pairing:Bus=unix:path=/nonexistent/edgetwin-bus"));
        using var admin = BoxAdmin.Client(gateway.Urls.First(), data);

        var (status, answer) = await Read(admin.GetAsync("/ble/devices"));
        var (pairStatus, _) = await Read(admin.PostAsync("/ble/pair", Json("""{"address":"A0:9E:1A:12:34:56"}""")));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unavailable"), (status, answer["reason"]!.GetValue<string>()));
        Assert.Contains("no D-Bus bus at unix:path=/nonexistent/edgetwin-bus", answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pairStatus);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/status")).StatusCode);
        await gateway.StopAsync();
        await gateway.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }
}
