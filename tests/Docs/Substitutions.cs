namespace EdgeTwin.Docs.Tests;

using System.Text.RegularExpressions;

/// <summary>
/// What the docs test changes in a documented command before it runs it (tests/Docs/README.md):
/// <c>dotnet run ... --project P --</c> becomes the binary already built from P, started in the folder
/// <c>dotnet run</c> starts it in (P itself for a web project, the current folder otherwise); the documented
/// ports 1883 (embedded broker), 8480 (status), 2575 (HL7 monitor), 5080 (the ingest) and 8545 (a
/// local chain) become free ones; <c>node tools/evm/</c> names the checkout's tools/evm; the
/// placeholders <c>0xADDR</c> (the gateway's address), <c>0xOPERATOR</c> (the operator key's, as
/// <c>keygen</c> printed it) and <c>/tmp/edgetwin-root</c> become what this run has. Commands run in a
/// folder laid out as the checkout (<see cref="LayOutCheckout"/>), so a path such as <c>src/Gateway/data</c>
/// means what it means after <c>dotnet run</c>.
/// </summary>
internal sealed partial class Substitutions
{
    public int BrokerPort { get; } = Shell.FreePort();

    public int StatusPort { get; } = Shell.FreePort();

    public int MonitorPort { get; } = Shell.FreePort();

    public int IngestPort { get; } = Shell.FreePort();

    /// <summary>The local chain's JSON-RPC port (ganache, documented as 8545).</summary>
    public int RpcPort { get; } = Shell.FreePort();

    /// <summary>The anchor contract, as <c>anchor-deploy</c> printed it (<c>&lt;contract address&gt;</c>).</summary>
    public string? Contract { get; set; }

    /// <summary>The gateway's telemetry epoch, from <c>/api/chains</c> (<c>&lt;epoch&gt;</c>).</summary>
    public string? Epoch { get; set; }

    /// <summary>The ingest key's address, as <c>/api/identity</c> gave it (<c>&lt;ingest address&gt;</c>).</summary>
    public string? IngestAddress { get; set; }

    public string? Address { get; set; }

    public string? Operator { get; set; }

    public string InstallRoot { get; set; } = "/tmp/edgetwin-root";

    /// <summary>A gateway command as documented, made to listen on this run's ports.</summary>
    public string Gateway(string documented)
    {
        var command = Apply(documented);
        Assert.StartsWith($"{Run("src/Gateway")} '{Repo.Built("src/Gateway", "EdgeTwin.Gateway.dll")}'", command, StringComparison.Ordinal);
        var extra = $" --Uplink:EmbeddedPort={BrokerPort} --Status:Url=http://127.0.0.1:{StatusPort}"
            + (command.Contains("hl7-mllp", StringComparison.Ordinal) ? $" --Devices:0:Port={MonitorPort}" : string.Empty);
        return "exec " + command + extra;
    }

    public string Apply(string documented)
    {
        var command = DotnetRun().Replace(documented, m => m.Groups["project"].Value switch
        {
            "src/Gateway" => $"{Run("src/Gateway")} '{Repo.Built("src/Gateway", "EdgeTwin.Gateway.dll")}'",
            "src/Cli" => $"{Run("src/Cli")} '{Repo.Built("src/Cli", "edgetwin.dll")}'",
            "src/Ingest" => $"{Run("src/Ingest")} '{Repo.Built("src/Ingest", "EdgeTwin.Ingest.dll")}'",
            "tools/ModelBuilder" => $"{Run("tools/ModelBuilder")} '{Repo.Built("tools/ModelBuilder", "EdgeTwin.ModelBuilder.dll")}'",
            var other => throw new Xunit.Sdk.XunitException($"no built binary known for --project {other} in '{documented}'"),
        });
        command = Regex.Replace(command, @"\b1883\b", BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b8480\b", StatusPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b2575\b", MonitorPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b5080\b", IngestPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = Regex.Replace(command, @"\b8545\b", RpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command = command.Replace("node tools/evm/", $"node '{Repo.Root}/tools/evm/'", StringComparison.Ordinal);
        command = Contract is null ? command : command.Replace("<contract address>", Contract, StringComparison.Ordinal);
        command = Epoch is null ? command : command.Replace("<epoch>", Epoch, StringComparison.Ordinal);
        command = command.Replace("<gw name>", "sim-gw", StringComparison.Ordinal);
        command = Address is null ? command : command.Replace("<gateway address>", Address, StringComparison.Ordinal);
        command = IngestAddress is null ? command : command.Replace("<ingest address>", IngestAddress, StringComparison.Ordinal);
        command = command.Replace("/tmp/edgetwin-root", InstallRoot, StringComparison.Ordinal);
        command = Operator is null ? command : command.Replace("0xOPERATOR", Operator, StringComparison.Ordinal);
        return Address is null ? command : command.Replace("0xADDR", Address, StringComparison.Ordinal);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> look like the checkout to the documented commands: the folders
    /// of the web projects, which <c>dotnet run</c> starts in (and where their data directories land).
    /// </summary>
    public static void LayOutCheckout(string directory)
    {
        foreach (var project in Projects.Where(IsWebProject))
        {
            Directory.CreateDirectory(Path.Combine(directory, project));
        }
    }

    private static readonly string[] Projects = ["src/Gateway", "src/Cli", "src/Ingest", "tools/ModelBuilder"];

    /// <summary>
    /// How <c>dotnet run --project P</c> starts P's program: the Web SDK sets <c>RunWorkingDirectory</c> to the
    /// project's folder, other projects run in the current one.
    /// </summary>
    private static string Run(string project) => IsWebProject(project) ? $"env --chdir='{project}' dotnet" : "dotnet";

    private static bool IsWebProject(string project) =>
        Directory.EnumerateFiles(Path.Combine(Repo.Root, project), "*.csproj").Any(f => File.ReadAllText(f).Contains("Sdk=\"Microsoft.NET.Sdk.Web\"", StringComparison.Ordinal));

    [GeneratedRegex(@"dotnet run (-c Release )?--project (?<project>[A-Za-z/]+)( --)?")]
    private static partial Regex DotnetRun();
}
