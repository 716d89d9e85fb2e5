namespace EdgeTwin.Docs.Tests;

using System.Text.RegularExpressions;

/// <summary>
/// What the docs test changes in a documented command before it runs it (tests/Docs/README.md):
/// <c>dotnet run ... --project P --</c> becomes the binary already built from P; the documented
/// ports 1883 (embedded broker), 8480 (status) and 2575 (HL7 monitor) become free ones; the
/// placeholders <c>0xADDR</c> (the gateway's address), <c>0xOPERATOR</c> (the operator key's, as
/// <c>keygen</c> printed it), <c>src/Gateway/data</c> (the data directory
/// of the gateway the test ran) and <c>/tmp/edgetwin-root</c> become what this run has.
/// </summary>
internal sealed partial class Substitutions
{
    public int BrokerPort { get; } = Shell.FreePort();

    public int StatusPort { get; } = Shell.FreePort();

    public int MonitorPort { get; } = Shell.FreePort();

    public int IngestPort { get; } = Shell.FreePort();

    /// <summary>The ingest key's address, as <c>/api/identity</c> gave it (<c>&lt;ingest address&gt;</c>).</summary>
    public string? IngestAddress { get; set; }

    public string? Address { get; set; }

    public string? Operator { get; set; }

    public string DataDirectory { get; set; } = "data";

    public string InstallRoot { get; set; } = "/tmp/edgetwin-root";

    /// <summary>A gateway command as documented, made to listen on this run's ports.</summary>
    public string Gateway(string documented)
    {
        var command = Apply(documented);
        Assert.StartsWith($"dotnet '{Repo.Built("src/Gateway", "EdgeTwin.Gateway.dll")}'", command, StringComparison.Ordinal);
        var extra = $" --Uplink:EmbeddedPort={BrokerPort} --Status:Url=http://127.0.0.1:{StatusPort}"
            + (command.Contains("hl7-mllp", StringComparison.Ordinal) ? $" --Devices:0:Port={MonitorPort}" : string.Empty);
        return "exec " + command + extra;
    }

    public string Apply(string documented)
    {
        var command = DotnetRun().Replace(documented, m => m.Groups["project"].Value switch
        {
            "src/Gateway" => $"dotnet '{Repo.Built("src/Gateway", "EdgeTwin.Gateway.dll")}'",
            "src/Cli" => $"dotnet '{Repo.Built("src/Cli", "edgetwin.dll")}'",
            "src/Ingest" => $"dotnet '{Repo.Built("src/Ingest", "EdgeTwin.Ingest.dll")}'",
            "tools/ModelBuilder" => $"dotnet '{Repo.Built("tools/ModelBuilder", "EdgeTwin.ModelBuilder.dll")}'",
            var other => throw new Xunit.Sdk.XunitException($"no built binary known for --project {other} in '{documented}'"),
        });
        command = Regex.Replace(command, @"\b1883\b", BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b8480\b", StatusPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b2575\b", MonitorPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b5080\b", IngestPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = command.Replace("<gw name>", "sim-gw", StringComparison.Ordinal);
        command = Address is null ? command : command.Replace("<gateway address>", Address, StringComparison.Ordinal);
        command = IngestAddress is null ? command : command.Replace("<ingest address>", IngestAddress, StringComparison.Ordinal);
        command = command.Replace("src/Gateway/data", DataDirectory, StringComparison.Ordinal).Replace("/tmp/edgetwin-root", InstallRoot, StringComparison.Ordinal);
        command = Operator is null ? command : command.Replace("0xOPERATOR", Operator, StringComparison.Ordinal);
        return Address is null ? command : command.Replace("0xADDR", Address, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"dotnet run (-c Release )?--project (?<project>[A-Za-z/]+)( --)?")]
    private static partial Regex DotnetRun();
}
