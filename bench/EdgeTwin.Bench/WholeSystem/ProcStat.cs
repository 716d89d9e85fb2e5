namespace EdgeTwin.Bench.WholeSystem;

using System.Globalization;

/// <summary>
/// CPU time and resident memory of processes, read from <c>/proc</c>: <c>utime + stime</c> of
/// <c>/proc/PID/stat</c> (clock ticks, 100 a second on Linux), and for a process tree (PostgreSQL's
/// postmaster and its backends) also <c>cutime + cstime</c>, the ticks of children it has reaped, so
/// a backend that ends between two readings is not lost.
/// </summary>
internal static class ProcStat
{
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds the process used so far (0 once it is gone).</summary>
    public static double CpuSeconds(int pid) => Fields(pid) is { } f ? (Tick(f, 14) + Tick(f, 15)) / TicksPerSecond : 0;

    /// <summary>CPU seconds of <paramref name="root"/>, the children it reaped, and every live descendant.</summary>
    public static double TreeCpuSeconds(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Fields(pid) is { } f)
            {
                parents[pid] = (int)Tick(f, 4);
            }
        }

        var ticks = Fields(root) is { } r ? Tick(r, 16) + Tick(r, 17) : 0;
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                grew |= tree.Contains(parent) && tree.Add(pid);
            }
        }

        foreach (var pid in tree)
        {
            if (Fields(pid) is { } f)
            {
                ticks += Tick(f, 14) + Tick(f, 15);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>CPU seconds of each live thread of the process, by thread id, with its name (<c>/proc/PID/task/TID/stat</c>).</summary>
    public static Dictionary<int, (string Name, double Seconds)> Threads(int pid)
    {
        var threads = new Dictionary<int, (string, double)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var text = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = text.IndexOf('(', StringComparison.Ordinal);
                    var close = text.LastIndexOf(')');
                    var f = text[(close + 2)..].Split(' ');
                    threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (text[(open + 1)..close], (Tick(f, 14) + Tick(f, 15)) / TicksPerSecond);
                }
                catch (IOException)
                {
                }
            }
        }
        catch (IOException)
        {
        }

        return threads;
    }

    /// <summary>Resident set (VmRSS) in MiB; 0 once the process is gone.</summary>
    public static double RssMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (index 0 is field 3, the state); null when the process is gone.</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Field <paramref name="number"/> of proc(5)'s numbering (1-based: 4 is ppid, 14 utime, 15 stime, 16 cutime, 17 cstime).</summary>
    private static long Tick(string[] afterName, int number) => long.Parse(afterName[number - 3], CultureInfo.InvariantCulture);
}
