namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ports = EdgeTwin.Ingest.Tests.Support.FreePort;

/// <summary>
/// A real mosquitto on a free loopback port, with persistence so that sessions (and QoS 1 messages
/// queued for the capturing subscriber) survive <see cref="Stop"/>/<see cref="Start"/>. Runs as the
/// test's own user: started as root (CI), mosquitto otherwise drops to the `mosquitto` user, cannot
/// write its persistence file into our temp directory, and the capture's session is silently lost
/// across a restart (records the gateway published before the capture resubscribed went missing).
/// </summary>
public sealed class Mosquitto : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-mosq-").FullName;
    private Process? _process;

    private readonly bool _persistence;

    /// <param name="persistence">false: a restart loses every session and queued message (issue 21's broker that drops what it queued)</param>
    public Mosquitto(bool persistence = true)
        : this(
            (dir, port) => $"""
                listener {port} 127.0.0.1
                allow_anonymous true
                persistence {(persistence ? "true" : "false")}
                persistence_location {dir}/
                max_queued_messages 1000000
                max_inflight_messages 0
                """,
            persistence)
    {
    }

    /// <summary>
    /// A mosquitto run with the configuration <paramref name="configure"/> writes for its directory
    /// and port (it may put files there, e.g. certificates); logging and the user are added here.
    /// </summary>
    /// <param name="configure">the configuration for a directory and a port</param>
    /// <param name="persistence">whether the configuration keeps sessions across <see cref="Stop"/>/<see cref="Start"/> (checked there)</param>
    public Mosquitto(Func<string, int, string> configure, bool persistence = true)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _persistence = persistence;

        // Another port when the free one was taken before mosquitto bound it (Ports.StartOnFreePortAsync);
        // the start itself is synchronous, so the task has completed when it returns.
        Port = Ports.StartOnFreePortAsync(
            "mosquitto",
            port =>
            {
                Port = port;
                File.WriteAllText(Path.Combine(_dir, "mosquitto.conf"), $"""
                    {configure(_dir, port)}
                    log_dest file {_dir}/mosquitto.log
                    user {Environment.UserName}

                    """);
                return Task.FromResult<string?>(TryStart(out var exited) ? null : exited);
            }).GetAwaiter().GetResult();
    }

    public string Log => File.ReadAllText(Path.Combine(_dir, "mosquitto.log"));

    public int Port { get; private set; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    /// <summary>The running broker's process id (null while stopped), for /proc figures.</summary>
    public int? Id => _process?.Id;

    public static int FreePort() => Ports.Next();

    /// <summary>
    /// Starts mosquitto (again) on its port, which stays claimed for this test process while the broker
    /// is stopped (Ports.Next: no other test's server takes it meanwhile); fails, saying why and what
    /// listens on the port, when it exits instead.
    /// </summary>
    public void Start()
    {
        if (!TryStart(out var exited))
        {
            var (_, listening) = Command.Run("ss", "-ltnp", $"sport = :{Port}");
            throw new InvalidOperationException($"mosquitto did not start again on port {Port}: {exited}\nListening on the port (ss): {listening}");
        }
    }

    /// <summary>Starts mosquitto and waits until it accepts connections (true) or has exited (false, with its log).</summary>
    private bool TryStart(out string exited)
    {
        // A connection alone would not tell: another listener on the port answers too. mosquitto says
        // "running" in its log once its listeners are bound, or exits.
        var log = Path.Combine(_dir, "mosquitto.log");
        int Running() => File.Exists(log) ? File.ReadLines(log).Count(l => l.Contains(" running", StringComparison.Ordinal)) : 0;
        var before = Running();
        var started = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(_dir, "mosquitto.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        Wait.Until(() => started.HasExited || (Running() > before && CanConnect()), TimeSpan.FromSeconds(10), "mosquitto running and accepting connections");
        if (!started.HasExited)
        {
            _process = started;
            exited = string.Empty;
            return true;
        }

        // A start that failed leaves a broker already running as it was, still ours to stop (before, it
        // took its place here and that broker outlived the test: one mosquitto left per suite run).
        exited = $"exit code {started.ExitCode}; {started.StandardError.ReadToEnd()}{(File.Exists(log) ? File.ReadAllText(log) : string.Empty)}";
        started.Dispose();
        return false;
    }

    /// <summary>Graceful stop (SIGTERM): mosquitto writes its persistence file.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        Signal("-TERM");
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }

        _process.Dispose();
        _process = null;

        // The sessions must survive the restart, or a test would blame the gateway for the broker's loss.
        if (_persistence && !File.Exists(Path.Combine(_dir, "mosquitto.db")))
        {
            throw new InvalidOperationException($"mosquitto wrote no persistence file in {_dir}; see {_dir}/mosquitto.log");
        }
    }

    /// <summary>
    /// SIGSTOP: a blackhole. The kernel still completes TCP handshakes on the port and takes bytes into
    /// the socket buffers, but nothing answers: no CONNACK, no PUBACK, no refusal, as on a link that
    /// drops packets. <see cref="Continue"/> ends it.
    /// </summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>: the broker reads what waited in its sockets.</summary>
    public void Continue() => Signal("-CONT");

    /// <summary>SIGKILL: mosquitto writes nothing more; what it had not yet saved to its persistence file is gone (a crash, a power cut).</summary>
    public void KillHard()
    {
        _process?.Kill();
        _process?.WaitForExit(10_000);
        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            _process.Kill();
            _process.WaitForExit(5000);
            _process.Dispose();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill!.WaitForExit();
    }

    private bool CanConnect()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
