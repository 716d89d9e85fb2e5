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
    private readonly int? _firstPort;
    private readonly string? _acl;
    private Process? _process;

    public MosquittoFixture()
        : this(1000)
    {
    }

    /// <param name="maxInflightMessages">mosquitto's in-flight window for clients that state none (0: unlimited), as a site broker may be set</param>
    internal MosquittoFixture(int maxInflightMessages) => _maxInflightMessages = maxInflightMessages;

    /// <param name="maxInflightMessages">as above</param>
    /// <param name="acl">a mosquitto ACL file's text (its lines before any <c>user</c> apply to the anonymous clients every test connects as)</param>
    internal MosquittoFixture(int maxInflightMessages, string acl)
        : this(maxInflightMessages) => _acl = acl;

    /// <param name="maxInflightMessages">as above</param>
    /// <param name="firstPort">the port tried first, as if the free port picked had been taken since (tests of this fixture)</param>
    internal MosquittoFixture(int maxInflightMessages, int firstPort)
        : this(maxInflightMessages) => _firstPort = firstPort;

    public int Port { get; private set; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("edgetwin-mosquitto-").FullName;

        Port = await FreePort.StartOnFreePortAsync(
            "mosquitto",
            async port =>
            {
                Port = port;
                return await TryStartAsync() ? null : Log();
            },
            _firstPort);
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(10), Log);
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Starts mosquitto on <see cref="Port"/>: true once it says it runs (its listener bound), false when it exited.</summary>
    private async Task<bool> TryStartAsync()
    {
        var conf = Path.Combine(_dir, "mosquitto.conf");
        // Read as the user running the tests (as root mosquitto would otherwise read it as "mosquitto", which the 0700 directory keeps out).
        var acl = Path.Combine(_dir, "acl");
        if (_acl is not null)
        {
            await File.WriteAllTextAsync(acl, _acl);
        }

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
            log_type information
            {(_acl is null ? string.Empty : $"acl_file {acl}\nuser {Environment.UserName}")}
            """);
        var exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process?.Dispose();
        _process = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_log)
            {
                _log.AppendLine(e.Data);
            }

            if (e.Data?.Contains(" running", StringComparison.Ordinal) is true)
            {
                running.TrySetResult();
            }
        };
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var exited = _process.WaitForExitAsync(deadline.Token);
        var first = await Task.WhenAny(running.Task, exited);
        if (first == running.Task)
        {
            return true;
        }

        await exited; // throws when neither came within the deadline
        return false;
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
