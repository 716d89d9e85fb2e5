namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;
using System.Text;

/// <summary>
/// A real local EVM node: ganache from npm (tools/evm, installed by scripts/test.sh with npm ci) on a
/// free loopback port, chain id 1337, funded accounts whose keys the test chooses, every
/// transaction mined at once. Started when "RPC Listening" appears on its output.
/// </summary>
public sealed class Ganache : IDisposable
{
    public const long ChainId = 1337;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Ganache(params string[] fundedPrivateKeysHex)
    {
        Port = Mosquitto.FreePort();
        var cli = Path.Combine(Tools, "node_modules", "ganache", "dist", "node", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is missing: run 'npm ci' in tools/evm (scripts/test.sh does)");
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string[] accounts = [.. fundedPrivateKeysHex.SelectMany(k => new[] { "--wallet.accounts", $"{k},100000000000000000000" })];
        _process = new Process
        {
            StartInfo = new ProcessStartInfo("node", [cli, "--server.host", "127.0.0.1", "--server.port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--chain.chainId", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), .. accounts, "--miner.instamine", "eager"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        _process.OutputDataReceived += (_, e) => Line(e.Data, ready);
        _process.ErrorDataReceived += (_, e) => Line(e.Data, ready);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            Dispose();
            throw new TimeoutException($"ganache did not listen within 60 s: {Output}");
        }
    }

    public int Port { get; }

    public string Rpc => $"http://127.0.0.1:{Port}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>tools/evm of this checkout: ganache, solc and ethers from npm.</summary>
    public static string Tools => Path.Combine(Repository.Root, "tools", "evm");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Line(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("RPC Listening on", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
