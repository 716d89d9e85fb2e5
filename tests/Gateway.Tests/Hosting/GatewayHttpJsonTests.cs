namespace EdgeTwin.Gateway.Tests.Hosting;

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using EdgeTwin.Gateway.Access;
using EdgeTwin.Gateway.Pairing;
using EdgeTwin.Gateway.Status;
using EdgeTwin.Gateway.Status.Document;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Binding;

/// <summary>
/// The status address's JSON bodies come from generated metadata only (as in a NativeAOT build,
/// where reflection-based serialization is off) and are byte for byte what the anonymous objects
/// they replace wrote with ASP.NET Core's web defaults.
/// </summary>
public sealed class GatewayHttpJsonTests
{
    private static readonly JsonSerializerOptions Generated = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(StatusJsonContext.Default, TwinJsonContext.Default, PairingJsonContext.Default, AccessJsonContext.Default),
    };

    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    [Fact]
    public void ErrorBodies_AreWhatTheAnonymousObjectsWrote()
    {
        Same(new { error = "wrong-token: send it" }, new ErrorBody("wrong-token: send it"));
        Same(new { error = "busy", reason = "busy" }, new PairingError("busy", "busy"));
    }

    [Fact]
    public void PairingAnswers_AreWhatTheAnonymousObjectsWrote()
    {
        var d = new { Address = "A4:C1:38:12:34:56", Name = (string?)null, Rssi = (int?)-61, Profiles = new[] { "heart-rate" }, Uuids = new[] { "0000180d-0000-1000-8000-00805f9b34fb" } };
        var view = new BleDeviceView(d.Address, d.Name, d.Rssi, d.Profiles, d.Uuids, true, true, false, true, ["hr-strap"]);

        Same(new { devices = new[] { new { d.Address, d.Name, d.Rssi, d.Profiles, d.Uuids, Paired = true, Bonded = true, Trusted = false, Connected = true, configured = new[] { "hr-strap" } } } }, new BleDeviceList([view]));
        Same(new { forgotten = "A4:C1:38:12:34:56" }, new BleForgotten("A4:C1:38:12:34:56"));
    }

    [Fact]
    public void BindingAccepted_IsWhatTheAnonymousObjectWrote()
    {
        ImmutableArray<string> devices = ["sim-bed-1", "sim-bed-2"];

        Same(new { ok = true, patient = "p-3f2a", bed = (string?)null, devices }, new BindingAccepted(true, "p-3f2a", null, devices));
    }

    [Fact]
    public void Status_IsWhatTheAnonymousObjectWrote()
    {
        var at = new DateTimeOffset(2026, 12, 5, 16, 0, 0, TimeSpan.Zero);
        var devices = new JsonObject { ["sim-bed-1"] = new JsonObject { ["health"] = "ok" } };
        var lane = new { epoch = "e1", seq = 41L, hash = "ab", storedRecords = 12L, storedBytes = 3400L, chained = (object?)new { epoch = "e1", fromSeq = 0L, throughSeq = 41L, obsRecords = 40L, samples = 1234L } };
        var alarm = new { epoch = "e2", seq = 0L, hash = "cd", storedRecords = 1L, storedBytes = 200L, chained = (object?)null };
        var storage = new { full = true, fullSince = (DateTimeOffset?)at, reason = "ENOSPC", episodes = 1L, freeBytes = (long?)1024L, totalBytes = (long?)null, floorBytes = (long?)null, reserveBytes = 0L, reserveReleases = 2L };
        var before = new
        {
            gw = "sim-gw", site = "sim-ward", software = "edgetwin-gateway/0.1.0", connected = true, inFlight = 3, live = 5, backlog = 70L, quarantined = (string?)null,
            lanes = new { telemetry = (object)lane, alarm = (object)alarm }, annunciation = "none", storage = (object)storage, devices = devices.DeepClone(),
            model = (JsonObject?)null, oldestUnreceiptedSeconds = new { telemetry = 1.25, alarm = 0.0 },
        };

        var now = new StatusDocument(
            "sim-gw", "sim-ward", "edgetwin-gateway/0.1.0", true, 3, 5, 70, null,
            new LanesStatus(new LaneStatus("e1", 41, "ab", 12, 3400, new ChainedStatus("e1", 0, 41, 40, 1234)), new LaneStatus("e2", 0, "cd", 1, 200, null)),
            "none", new StorageStatus(true, at, "ENOSPC", 1, 1024, null, null, 0, 2), devices, null, new OldestUnreceipted(1.25, 0.0));

        Same(before, now);
    }

    private static void Same<TBefore, TNow>(TBefore before, TNow now) =>
        Assert.Equal(JsonSerializer.Serialize(before, Reflection), JsonSerializer.Serialize(now, Generated));
}
