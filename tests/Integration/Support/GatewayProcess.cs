namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;
using System.Text;

/// <summary>The built gateway (<c>dotnet EdgeTwin.Gateway.dll</c>), or the built ingest, as a real child process.</summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string GatewayDll => Built("Gateway", "EdgeTwin.Gateway.dll");

    public static string IngestDll => Built("Ingest", "EdgeTwin.Ingest.dll");

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// A parent that looks like systemd to the gateway: .NET's systemd integration only speaks the
    /// notify protocol when the direct parent's <c>/proc/&lt;ppid&gt;/comm</c> is <c>systemd</c>. A python
    /// wrapper renames itself (prctl PR_SET_NAME), starts the gateway as its child, forwards SIGTERM to
    /// it and exits with its code.
    /// </summary>
    private const string SystemdParent = """
        import ctypes, signal, subprocess, sys
        ctypes.CDLL(None).prctl(15, b"systemd", 0, 0, 0)
        child = subprocess.Popen(sys.argv[1:])
        signal.signal(signal.SIGTERM, lambda s, f: child.send_signal(s))
        sys.exit(child.wait())
        """;

    public static GatewayProcess Start(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(GatewayDll, workingDirectory, args, environment, underSystemd: false);

    /// <summary>The built ingest (<c>dotnet EdgeTwin.Ingest.dll</c>) as a real child process, watched the same way.</summary>
    public static GatewayProcess StartIngest(string workingDirectory, IEnumerable<string> args) =>
        Start(IngestDll, workingDirectory, args, null, underSystemd: false);

    /// <summary>The gateway as a child of a process named <c>systemd</c> (see <see cref="SystemdParent"/>).</summary>
    public static GatewayProcess StartUnderSystemd(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        Start(GatewayDll, workingDirectory, args, environment, underSystemd: true);

    private static GatewayProcess Start(string dll, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, bool underSystemd)
    {
        var info = new ProcessStartInfo(underSystemd ? "python3" : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (underSystemd)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(SystemdParent);
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new GatewayProcess(Process.Start(info)!);
    }

    public void KillHard() => _process.Kill(entireProcessTree: false); // SIGKILL on Linux

    /// <summary>SIGSTOP: the process does nothing until <see cref="Continue"/> (a box starved of CPU; lets a test change the disk under it at a known point).</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Continue() => Signal("-CONT");

    public void Terminate() => Signal("-TERM");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit(); // flush the redirected streams
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static string Built(string project, string dll)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(Repository.Root, "src", project, "bin", configuration, "net10.0", dll);
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (sb)
        {
            sb.AppendLine(line);
        }
    }
}
