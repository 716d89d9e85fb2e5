namespace EdgeTwin.Ingest.Tests.Integration;

using System.Diagnostics;
using System.Text;
using EdgeTwin.Ingest.Tests.Support;

/// <summary>A real mosquitto 2 (MQTT 5, shared subscriptions) on a free loopback port.</summary>
public sealed class MosquittoFixture : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private string _dir = string.Empty;
    private readonly int _maxInflightMessages;
    private Process? _process;

    public MosquittoFixture()
        : this(1000)
    {
    }

    /// <param name="maxInflightMessages">mosquitto's in-flight window for clients that state none (0: unlimited), as a site broker may be set</param>
    internal MosquittoFixture(int maxInflightMessages) => _maxInflightMessages = maxInflightMessages;

    public int Port { get; private set; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("edgetwin-mosquitto-").FullName;
        Port = FreePort.Next();
        var conf = Path.Combine(_dir, "mosquitto.conf");

        // Inflight raised from the default 20 so a client that states no Receive Maximum can hold a whole batch unacknowledged.
        await File.WriteAllTextAsync(conf, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages {_maxInflightMessages}
            max_queued_messages 100000
            log_dest stderr
            log_type error
            log_type warning
            """);
        var exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(10), () => { lock (_log) { return _log.ToString(); } });
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
