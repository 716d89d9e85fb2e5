namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;
using System.Text.RegularExpressions;

/// <summary>
/// A disk with a volatile write cache for a real process (issue 15's power cut): <c>powercut_fs.py</c>
/// (beside this file; its docstring states the model) serves <see cref="Path"/> through FUSE over a
/// backing directory and keeps each file's durable image, what it held at its last fsync. The model is
/// the outbox's unit-test <c>PowerCutFiles</c> for a whole process: a SIGKILL leaves unsynced writes
/// in the kernel, this loses them. <see cref="CutPowerAsync"/> (once the caller has SIGKILLed whatever
/// used the disk): unmount, replace the files by their durable images, mount again. Needs root and
/// <c>/dev/fuse</c>, as CI has; <see cref="Mount"/> fails the test saying what is missing otherwise.
/// </summary>
internal sealed partial class PowerCutDisk : IDisposable
{
    private const string Python = "/usr/bin/python3"; // Debian's, with python3-fusepy (a pyenv python3 on PATH may lack it)

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly System.Text.StringBuilder _stderr = new();
    private Process? _daemon;

    private PowerCutDisk(string root)
    {
        _root = root;
        foreach (var dir in new[] { Backing, Durable, Path, Control })
        {
            Directory.CreateDirectory(dir);
        }
    }

    /// <summary>The mount point: what the processes under test use as their disk.</summary>
    public string Path => System.IO.Path.Combine(_root, "mnt");

    /// <summary>The daemon's log: a line per fsync ("fsync N ..."), freeze, mount and cut.</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;

    /// <summary>The fsyncs the daemon served since the first mount (all mounts).</summary>
    public int Fsyncs => FsyncLine().Count(Log);

    /// <summary>How many power cuts this disk has had.</summary>
    public int Cuts { get; private set; }

    private string Backing => System.IO.Path.Combine(_root, "current");

    private string Durable => System.IO.Path.Combine(_root, "durable");

    private string Control => System.IO.Path.Combine(_root, "control");

    private string LogFile => System.IO.Path.Combine(_root, "powercut.log");

    private static string Script => System.IO.Path.Combine(Repository.Root, "tests", "Integration", "Support", "powercut_fs.py");

    /// <summary>A new, empty disk, mounted. Fails (never skips) when FUSE or fusepy is missing.</summary>
    public static PowerCutDisk Mount()
    {
        Assert.True(File.Exists("/dev/fuse"), "/dev/fuse is missing: the power-cut disk needs FUSE (a container needs --device /dev/fuse; CI and the dev box have it)");
        Assert.True(File.Exists(Python) && Command.Run(Python, "-c", "import fusepy").Code == 0,
            $"{Python} cannot import fusepy: the power-cut disk needs Debian's fuse3 and python3-fusepy (scripts/test.sh installs them)");
        var disk = new PowerCutDisk(Directory.CreateTempSubdirectory("edgetwin-powercut-").FullName);
        try
        {
            disk.Start();
            return disk;
        }
        catch
        {
            disk.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The power cut. The caller has SIGKILLed every process using the disk (a process waiting on a
    /// frozen fsync finishes dying here, once the freeze is let go). Lets a freeze go (its fsync fails,
    /// the power being off), unmounts (waiting while the killed processes still hold files), replaces
    /// every file by its durable image and mounts again.
    /// </summary>
    public async Task CutPowerAsync()
    {
        File.Delete(System.IO.Path.Combine(Control, "freeze"));
        await UnmountAsync();
        var (code, output) = Command.Run(Python, Script, "cut", Backing, Durable, LogFile);
        Assert.True(code == 0, $"powercut_fs.py cut failed ({code}): {output}");
        Cuts++;
        Start();
    }

    /// <summary>
    /// Arms a freeze: the next fsync of a file named <paramref name="fileName"/> (any directory) blocks
    /// before anything of it is durable, until <see cref="CutPowerAsync"/>; <see cref="FrozenAsync"/> waits for it.
    /// </summary>
    public void FreezeAtNextFsyncOf(string fileName)
    {
        File.Delete(System.IO.Path.Combine(Control, "frozen"));
        File.WriteAllText(System.IO.Path.Combine(Control, "freeze"), fileName);
    }

    /// <summary>Every fsync of a file named one of <paramref name="fileNames"/> fails with EIO (nothing of it durable) until <see cref="StopFailingFsyncs"/>.</summary>
    public void FailFsyncsOf(params string[] fileNames) => File.WriteAllLines(System.IO.Path.Combine(Control, "fail"), fileNames);

    public void StopFailingFsyncs() => File.Delete(System.IO.Path.Combine(Control, "fail"));

    /// <summary>Waits until the armed freeze has caught its fsync.</summary>
    public Task FrozenAsync(TimeSpan timeout, Func<string> what) =>
        Wait.UntilAsync(() => Task.FromResult(File.Exists(System.IO.Path.Combine(Control, "frozen"))), timeout, () => what() + "\npower-cut disk log (tail):\n" + Tail());

    /// <summary>The last lines of <see cref="Log"/>, for a failure message.</summary>
    public string Tail(int lines = 20) => string.Join('\n', Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    public void Dispose()
    {
        File.Delete(System.IO.Path.Combine(Control, "freeze"));
        if (_daemon is not null)
        {
            Command.Run("fusermount3", "-u", "-z", Path);
            if (!_daemon.WaitForExit(5000))
            {
                _daemon.Kill();
                _daemon.WaitForExit(5000);
            }

            _daemon.Dispose();
            _daemon = null;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Still busy: left to the temp cleaner.
        }
    }

    private void Start()
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Script, "mount", Backing, Durable, Path, LogFile, Control })
        {
            info.ArgumentList.Add(arg);
        }

        _daemon = Process.Start(info)!;
        _daemon.ErrorDataReceived += (_, e) => Append(e.Data);
        _daemon.OutputDataReceived += (_, e) => Append(e.Data);
        _daemon.BeginErrorReadLine();
        _daemon.BeginOutputReadLine();
        Wait.Until(() => IsMounted() || _daemon.HasExited, Patience, $"powercut_fs.py to mount {Path}");
        if (!IsMounted())
        {
            throw new InvalidOperationException($"powercut_fs.py mount {Path} exited with {_daemon.ExitCode}: {Stderr}");
        }
    }

    /// <summary>fusermount3 -u, again while the mount is busy (files the killed processes held are being closed), then the daemon's exit.</summary>
    private async Task UnmountAsync()
    {
        var last = (Code: 0, Output: string.Empty);
        await Wait.UntilAsync(
            () => Task.FromResult((last = Command.Run("fusermount3", "-u", Path)).Code == 0),
            Patience,
            () => $"fusermount3 -u {Path}, which kept failing ({last.Code}): {last.Output}\n{Tail()}");

        Assert.True(_daemon!.WaitForExit((int)Patience.TotalMilliseconds), $"powercut_fs.py did not exit after the unmount\n{Tail()}");
        Assert.True(_daemon.ExitCode == 0, $"powercut_fs.py exited with {_daemon.ExitCode}: {Stderr}\n{Tail()}");
        _daemon.Dispose();
        _daemon = null;
    }

    private string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    private bool IsMounted() =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == Path && l.Contains(" - fuse", StringComparison.Ordinal));

    [GeneratedRegex(@"^\S+ fsync \d+ ", RegexOptions.Multiline)]
    private static partial Regex FsyncLine();
}
