namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;
using System.Text;

/// <summary>The built gateway (<c>dotnet EdgeTwin.Gateway.dll</c>), or the built ingest, as a real child process.</summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private bool _disposed;

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

    /// <summary>The process id (the dotnet host running the dll), for /proc figures.</summary>
    public int Id => _process.Id;

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

    /// <summary>
    /// Loads a seccomp filter like systemd's <c>SystemCallFilter=</c> with <c>SystemCallErrorNumber=EPERM</c>
    /// (the calls named in the file <c>argv[1]</c> allowed, any other failing with EPERM) through
    /// libseccomp, then becomes the command after it.
    /// </summary>
    private const string SystemCallFilter = """
        import ctypes, os, sys
        lib = ctypes.CDLL("libseccomp.so.2")
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        ctx = lib.seccomp_init(0x00050000 | 1)
        for name in open(sys.argv[1]).read().split():
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr >= 0:
                lib.seccomp_rule_add(ctx, 0x7fff0000, nr, 0)
        if lib.seccomp_load(ctx) != 0:
            sys.exit("seccomp_load failed")
        os.execvp(sys.argv[2], sys.argv[2:])
        """;

    /// <summary>
    /// systemd's <c>MemoryDenyWriteExecute=yes</c> as systemd 252 (Debian 12, Raspberry Pi OS bookworm) loads it,
    /// a seccomp filter: <c>mmap</c> asking for writable and executable memory, <c>mprotect</c>/<c>pkey_mprotect</c>
    /// asking for executable, <c>shmat</c> with <c>SHM_EXEC</c> fail with EPERM; then becomes the command after it.
    /// </summary>
    private const string MemoryDenyWriteExecuteFilter = """
        import ctypes, os, sys
        lib = ctypes.CDLL("libseccomp.so.2")
        class Cmp(ctypes.Structure):
            _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(Cmp)]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        ctx = lib.seccomp_init(0x7fff0000)
        for name, mask, value in [("mmap", 6, 6), ("mprotect", 4, 4), ("pkey_mprotect", 4, 4), ("shmat", 0o100000, 0o100000)]:
            rule = (Cmp * 1)(Cmp(2, 7, mask, value))  # argument 2 (prot, shmflg) masked-equal
            if lib.seccomp_rule_add_array(ctx, 0x00050000 | 1, lib.seccomp_syscall_resolve_name(name.encode()), 1, rule) != 0:
                sys.exit("seccomp rule for " + name + " failed")
        if lib.seccomp_load(ctx) != 0:
            sys.exit("seccomp_load failed")
        os.execvp(sys.argv[1], sys.argv[1:])
        """;

    public static GatewayProcess Start(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(GatewayDll, workingDirectory, args, environment, underSystemd: false);

    /// <summary>A published gateway: <paramref name="executable"/> is its .dll or its native (NativeAOT) executable.</summary>
    public static GatewayProcess StartPublished(string executable, string workingDirectory, IEnumerable<string> args) =>
        Start(executable, workingDirectory, args, null, underSystemd: false);

    /// <summary>
    /// A native executable for another architecture run by a user-mode emulator: <c>qemu-aarch64-static EXE ARGS</c>
    /// (the linux-arm64 NativeAOT gateway on this x64 machine; the emulator's own process is the one signalled).
    /// </summary>
    public static GatewayProcess StartEmulated(string emulator, string executable, string workingDirectory, IEnumerable<string> args) =>
        Start(executable, workingDirectory, args, null, underSystemd: false, emulator: emulator);

    /// <summary>
    /// <paramref name="dll"/> (<see cref="GatewayDll"/> or <see cref="IngestDll"/>) with only the system
    /// calls listed in <paramref name="allowedFile"/> (one name per line or space); others fail with EPERM.
    /// </summary>
    public static GatewayProcess StartWithSystemCallFilter(string dll, string allowedFile, string workingDirectory, IEnumerable<string> args) =>
        Start(dll, workingDirectory, args, null, underSystemd: false, wrapper: ["-c", SystemCallFilter, allowedFile]);

    /// <summary>
    /// <paramref name="executable"/> (a NativeAOT gateway, or <see cref="GatewayDll"/> through the dotnet host) under
    /// systemd's <c>MemoryDenyWriteExecute=yes</c> (<see cref="MemoryDenyWriteExecuteFilter"/>).
    /// </summary>
    public static GatewayProcess StartWithMemoryDenyWriteExecute(string executable, string workingDirectory, IEnumerable<string> args) =>
        Start(executable, workingDirectory, args, null, underSystemd: false, wrapper: ["-c", MemoryDenyWriteExecuteFilter]);

    /// <summary>The built ingest (<c>dotnet EdgeTwin.Ingest.dll</c>) as a real child process, watched the same way.</summary>
    public static GatewayProcess StartIngest(string workingDirectory, IEnumerable<string> args) =>
        Start(IngestDll, workingDirectory, args, null, underSystemd: false);

    /// <summary>The gateway as a child of a process named <c>systemd</c> (see <see cref="SystemdParent"/>).</summary>
    public static GatewayProcess StartUnderSystemd(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        Start(GatewayDll, workingDirectory, args, environment, underSystemd: true);

    private static GatewayProcess Start(
        string dll, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, bool underSystemd, string[]? wrapper = null,
        string? emulator = null)
    {
        wrapper ??= underSystemd ? ["-c", SystemdParent] : null;
        // A published native executable (NativeAOT) runs as it is, or under its emulator; a .dll through the dotnet host.
        string[] host = emulator is not null ? [emulator, dll] : dll.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", dll] : [dll];
        var info = new ProcessStartInfo(wrapper is null ? host[0] : "python3")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (wrapper is not null)
        {
            foreach (var arg in wrapper)
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add(host[0]);
        }

        foreach (var arg in host.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

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
        // Idempotent: a rig disposes the process it holds, which a test or the bench may have disposed already.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
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
