namespace EdgeTwin.Integration.Tests.Ingest;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;

/// <summary>What the IHE ACM end-to-end tests share: keys, the ingest's arguments for one test manager, and reading a PCD-04.</summary>
internal static class AcmRig
{
    /// <summary>A new key saved (0600) at <paramref name="path"/>, and its address.</summary>
    public static (string Path, string Address) NewKey(string path)
    {
        using var key = GatewayKey.Generate();
        key.SaveToFile(path);
        return (path, key.Address);
    }

    /// <summary>
    /// The ingest on LiteDB in <paramref name="ingestData"/>, gw-it enrolled, one manager (<c>pager</c>) on
    /// <paramref name="managerPort"/>, the PCD-05 listener on <paramref name="pcd05Port"/> for loopback, then <paramref name="extra"/>.
    /// </summary>
    public static string[] IngestArgs(Mosquitto mosquitto, int httpPort, string ingestData, string gatewayAddress, string ingestKey, string tokenKey, int managerPort, int pcd05Port, params string[] extra) =>
    [
        $"--urls=http://127.0.0.1:{httpPort}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
        $"--Ingest:Enrolled:gw-it={gatewayAddress}", $"--Ingest:KeyFile={ingestKey}",
        "--Ingest:AlarmManagers:0:Name=pager", "--Ingest:AlarmManagers:0:Host=127.0.0.1", $"--Ingest:AlarmManagers:0:Port={managerPort}",
        $"--Ingest:AlarmsOut:ListenPort={pcd05Port}", "--Ingest:AlarmsOut:AllowedPeers:0=127.0.0.1",
        IngestTokens.KeyFileArg(tokenKey),
        .. extra,
    ];

    /// <summary>OBX-5 of the facet whose OBX-3 is <paramref name="code"/>; empty when the message has none.</summary>
    public static string Facet(Hl7Message m, string code) => m.Segments.FirstOrDefault(s => s.Id == "OBX" && s.Get(3) == code)?.Get(5) ?? "";

    /// <summary>The box's condition id (the local code of facet 1).</summary>
    public static string Condition(Hl7Message m) => m.Segments.First(s => s.Id == "OBX").Get(5, 4);
}
