namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Cli.Box;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// <c>ble scan|list|pair|forget</c>: Bluetooth devices paired from the box, through the gateway's
/// local API (<c>/ble/*</c>, hardware/ble.md "Pairing a device") with its admin token. Exit 0 done,
/// 1 the gateway refused (the reason is printed: passkey missing or wrong, unknown device, no
/// Bluetooth ...), 2 bad usage, token file or gateway unreachable.
/// </summary>
internal static class BleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var gateway = new Option<string>("--gateway") { Description = $"the gateway's status address (default {BoxClient.DefaultUrl})", Recursive = true };
        var tokenFile = new Option<FileInfo>("--token-file") { Description = $"the gateway's admin token file, Gateway:AdminTokenFile (default {BoxClient.DefaultTokenFile})", Recursive = true };
        var seconds = new Option<int?>("--seconds") { Description = "how long to listen, 1-60 s (default: the gateway's Pairing:ScanSeconds, 10)" };
        var address = new Argument<string>("ADDRESS") { Description = "the device's Bluetooth address, e.g. A4:C1:38:12:34:56" };
        var passkey = new Option<string>("--passkey") { Description = "the 6 digits the device shows, for a device that asks for them" };

        var scan = new Command("scan", "wake the devices, listen for them and list what the box found") { seconds };
        scan.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Post, "/ble/scan",
            parse.GetValue(seconds) is { } s ? new JsonObject { ["seconds"] = s } : null, body => WriteDevices(stdout, body), ct));
        var list = new Command("list", "list the devices the box knows (found or paired), without scanning");
        list.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Get, "/ble/devices", null, body => WriteDevices(stdout, body), ct));
        var pair = new Command("pair", "pair, bond and trust a device found by a scan") { address, passkey };
        pair.SetAction((parse, ct) =>
        {
            var request = new JsonObject { ["address"] = parse.GetRequiredValue(address) };
            if (parse.GetValue(passkey) is { } key)
            {
                request["passkey"] = key;
            }

            return RunAsync(parse, HttpMethod.Post, "/ble/pair", request, body =>
            {
                stdout.WriteLine($"paired {Line(body!)}");
                stdout.WriteLine(body!["configured"]!.AsArray().Count == 0
                    ? "no ble-gatt device has this address in the gateway's settings yet: add it (Devices, Address), restart the gateway, then bind it to the patient"
                    : $"bind it to the patient as: {string.Join(", ", body["configured"]!.AsArray().Select(n => n!.GetValue<string>()))}");
            }, ct);
        });
        var forget = new Command("forget", "remove a device and its pairing from the box") { address };
        forget.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Delete, $"/ble/devices/{Uri.EscapeDataString(parse.GetRequiredValue(address))}", null,
            body => stdout.WriteLine($"forgot {body!["forgotten"]}"), ct));

        return new Command("ble", "scan, pair and forget Bluetooth devices through the gateway (hardware/ble.md)") { gateway, tokenFile, scan, list, pair, forget };

        async Task<int> RunAsync(ParseResult parse, HttpMethod method, string path, JsonObject? request, Action<JsonNode?> write, CancellationToken cancellationToken)
        {
            var text = parse.GetValue(gateway) ?? BoxClient.DefaultUrl;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync($"edgetwin ble: --gateway '{text}' is not an http:// or https:// address").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var file = parse.GetValue(tokenFile)?.FullName ?? BoxClient.DefaultTokenFile;
            try
            {
                // A scan listens up to 60 s and a pairing may take 60 s; the gateway bounds both.
                using var client = new BoxClient(url, file, TimeSpan.FromSeconds(150));
                var (status, body) = await client.SendAsync(method, path, request, cancellationToken).ConfigureAwait(false);
                if (status == 200)
                {
                    write(body);
                    return CliApp.Ok;
                }

                await stderr.WriteLineAsync($"edgetwin ble: {status} {body?["reason"]}: {body?["error"]}").ConfigureAwait(false);
                return status is 401 ? CliApp.Usage : CliApp.Failed;
            }
            catch (SecretFileException e)
            {
                await stderr.WriteLineAsync($"edgetwin ble: {e.Message} (run as the gateway's user: sudo -u edgetwin edgetwin ble ..., or give --token-file)").ConfigureAwait(false);
                return CliApp.Usage;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync($"edgetwin ble: the gateway at {url} did not answer: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }
        }
    }

    private static void WriteDevices(TextWriter stdout, JsonNode? body)
    {
        var devices = body!["devices"]!.AsArray();
        foreach (var device in devices)
        {
            stdout.WriteLine(Line(device!));
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{devices.Count} devices, {devices.Count(d => d!["profiles"]!.AsArray().Count > 0)} with a health profile the box reads"));
    }

    /// <summary>"A0:9E:1A:12:34:56  BP7000  -52 dBm  blood-pressure  paired bonded trusted  configured: cuff".</summary>
    private static string Line(JsonNode d)
    {
        var profiles = d["profiles"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        var state = new[] { "paired", "bonded", "trusted", "connected" }.Where(f => d[f]?.GetValue<bool>() is true).ToList();
        var configured = d["configured"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        return string.Join("  ",
            d["address"]!.GetValue<string>(),
            d["name"]?.GetValue<string>() ?? "(no name)",
            d["rssi"] is { } rssi ? $"{rssi} dBm" : "not heard",
            profiles.Count > 0 ? string.Join(",", profiles) : "not a health device the box reads",
            state.Count > 0 ? string.Join(' ', state) : "not paired",
            configured.Count > 0 ? "configured: " + string.Join(",", configured) : "not configured");
    }
}
