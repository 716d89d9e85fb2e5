namespace EdgeTwin.Gateway.Pairing;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Ble.Pairing;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Gateway.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

/// <summary>
/// Bluetooth pairing on the status address, behind the admin token (<see cref="AdminAccess"/>):
/// <c>POST /ble/scan</c> (<c>{"seconds":n}</c>, optional), <c>GET /ble/devices</c>,
/// <c>POST /ble/pair</c> (<c>{"address":"AA:BB:..","passkey":"012345"}</c>, the passkey only for a
/// device that shows one) and <c>DELETE /ble/devices/{address}</c>. A bad request is 400 before
/// anything reaches BlueZ; a device BlueZ does not know 404; a missing or wrong passkey or a device
/// that refuses 422; another operation running 409; no BlueZ 503; no answer in time 504; each with
/// <c>{"error","reason"}</c>. A paired device's answer names the <c>ble-gatt</c> devices configured with
/// its address: those are the ids to bind to the patient with <c>POST /twin/bindings</c>.
/// </summary>
internal static class PairingEndpoints
{
    public static IEndpointRouteBuilder MapPairing(this IEndpointRouteBuilder app)
    {
        var ble = app.MapGroup("/ble").RequireAdminToken();
        ble.MapPost("/scan", async (HttpRequest request, BlePairing pairing, IOptions<PairingOptions> options, IConfiguration configuration, CancellationToken cancellationToken) =>
        {
            var (body, problem) = await ReadAsync(request, ["seconds"], optional: true, cancellationToken).ConfigureAwait(false);
            var seconds = options.Value.ScanSeconds;
            if (problem is null && body?["seconds"] is { } s && !(s.GetValueKind() == JsonValueKind.Number && s.AsValue().TryGetValue(out seconds) && seconds is >= 1 and <= 60))
            {
                problem = "seconds: a whole number of seconds, 1-60";
            }

            return problem is not null
                ? Results.BadRequest(new PairingError(problem, "invalid"))
                : await Answer(async () => Listed(await pairing.ScanAsync(TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false), configuration)).ConfigureAwait(false);
        });
        ble.MapGet("/devices", (BlePairing pairing, IConfiguration configuration, CancellationToken cancellationToken) =>
            Answer(async () => Listed(await pairing.ListAsync(cancellationToken).ConfigureAwait(false), configuration)));
        ble.MapPost("/pair", async (HttpRequest request, BlePairing pairing, IConfiguration configuration, CancellationToken cancellationToken) =>
        {
            var (body, problem) = await ReadAsync(request, ["address", "passkey"], optional: false, cancellationToken).ConfigureAwait(false);
            var address = body?["address"] is JsonValue a && a.TryGetValue(out string? text) ? text : null;
            uint? passkey = null;
            if (problem is null && !BlePairing.IsAddress(address))
            {
                problem = "address: a Bluetooth address like A4:C1:38:12:34:56";
            }
            else if (problem is null && body!["passkey"] is { } p && !TryPasskey(p, out passkey))
            {
                problem = "passkey: the 6 digits the device shows, as a string like \"012345\"";
            }

            return problem is not null
                ? Results.BadRequest(new PairingError(problem, "invalid"))
                : await Answer(async () => Describe(await pairing.PairAsync(address!, passkey, cancellationToken).ConfigureAwait(false), configuration)).ConfigureAwait(false);
        });
        ble.MapDelete("/devices/{address}", (string address, BlePairing pairing, CancellationToken cancellationToken) =>
            !BlePairing.IsAddress(address)
                ? Task.FromResult(Results.BadRequest(new PairingError($"'{address}' is not a Bluetooth address like A4:C1:38:12:34:56", "invalid")))
                : Answer(async () =>
                {
                    await pairing.ForgetAsync(address, cancellationToken).ConfigureAwait(false);
                    return new BleForgotten(address.ToUpperInvariant());
                }));
        return app;
    }

    /// <summary>The operation's answer as 200, or its failure with the status that fits it.</summary>
    private static async Task<IResult> Answer<T>(Func<Task<T>> operation)
    {
        try
        {
            return Results.Ok(await operation().ConfigureAwait(false));
        }
        catch (BlePairingException e)
        {
            var status = e.Failure switch
            {
                BlePairingFailure.Invalid => StatusCodes.Status400BadRequest,
                BlePairingFailure.NotFound => StatusCodes.Status404NotFound,
                BlePairingFailure.Busy => StatusCodes.Status409Conflict,
                BlePairingFailure.Unavailable => StatusCodes.Status503ServiceUnavailable,
                BlePairingFailure.Timeout => StatusCodes.Status504GatewayTimeout,
                _ => StatusCodes.Status422UnprocessableEntity,
            };
            return Results.Json(new PairingError(e.Message, e.Reason), PairingJsonContext.Default.PairingError, statusCode: status);
        }
    }

    /// <summary>The JSON object body with only the members named; a problem for anything else (an empty body is allowed when optional).</summary>
    private static async Task<(JsonObject? Body, string? Problem)> ReadAsync(HttpRequest request, string[] members, bool optional, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return optional ? (null, null) : (null, $"a JSON object with {string.Join(", ", members)}");
        }

        try
        {
            if (JsonNode.Parse(text) is not JsonObject body)
            {
                return (null, $"a JSON object with {string.Join(", ", members)}");
            }

            var unknown = body.Select(m => m.Key).FirstOrDefault(k => !members.Contains(k, StringComparer.Ordinal));
            return unknown is null ? (body, null) : (null, $"unknown member '{unknown}' (expected {string.Join(", ", members)})");
        }
        catch (JsonException)
        {
            return (null, "malformed JSON");
        }
    }

    /// <summary>"012345" (leading zeros kept, as the device shows it) or the number 12345.</summary>
    private static bool TryPasskey(JsonNode node, out uint? passkey)
    {
        passkey = null;
        var digits = node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number when node.AsValue().TryGetValue(out int n) && n >= 0 => n.ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
        if (digits.Length is < 1 or > 6 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        passkey = uint.Parse(digits, CultureInfo.InvariantCulture);
        return true;
    }

    private static BleDeviceList Listed(IReadOnlyList<BleDevice> devices, IConfiguration configuration) =>
        new([.. devices.Select(d => Describe(d, configuration))]);

    /// <summary>A device as the API shows it, with the ids of the <c>ble-gatt</c> devices configured at its address.</summary>
    private static BleDeviceView Describe(BleDevice d, IConfiguration configuration)
    {
        var configured = DriverConfiguration.Read(configuration).Devices
            .Where(o => o.Type == DeviceTypes.BleGatt && o.Settings.TryGetValue("Address", out var a) && string.Equals(a.Trim(), d.Address, StringComparison.OrdinalIgnoreCase))
            .Select(o => o.Id)
            .ToArray();
        return new(d.Address, d.Name, d.Rssi, d.Profiles, d.Uuids, d.Paired, d.Bonded, d.Trusted, d.Connected, configured);
    }
}
