namespace EdgeTwin.Bench.Ingest;

using System.Globalization;

/// <summary>
/// A CPU cgroup capping its processes at a share of a core (CFS bandwidth: a quota per 100 ms period),
/// made for one bench run and removed after it. cgroup v1 (<c>/sys/fs/cgroup/cpu</c>, <c>cpu.cfs_quota_us</c>)
/// where the CPU controller is mounted so, as on this machine; else cgroup v2 (<c>cpu.max</c>) where the unified
/// hierarchy offers the CPU controller (written to the documented interface, not run here: this machine's
/// unified hierarchy has no controllers). Needs root.
/// </summary>
internal sealed class CpuCgroup : IDisposable
{
    private const int PeriodMicroseconds = 100_000;
    private const string V1Root = "/sys/fs/cgroup/cpu";
    private const string V2Root = "/sys/fs/cgroup";

    private readonly string _dir;
    private readonly bool _v2;

    private CpuCgroup(string dir, bool v2)
    {
        _dir = dir;
        _v2 = v2;
    }

    public static string Describe => IsV1 ? "cgroup v1 cpu.cfs_quota_us per 100 ms" : "cgroup v2 cpu.max per 100 ms";

    private static bool IsV1 => File.Exists(Path.Combine(V1Root, "cpu.cfs_quota_us"));

    /// <summary>A new group <paramref name="name"/> whose processes together get at most <paramref name="cores"/> of a core.</summary>
    public static CpuCgroup Create(string name, double cores)
    {
        var quota = (long)Math.Round(cores * PeriodMicroseconds);
        if (IsV1)
        {
            var dir = Path.Combine(V1Root, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(dir, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            return new CpuCgroup(dir, v2: false);
        }

        var controllers = Path.Combine(V2Root, "cgroup.controllers");
        if (!File.Exists(controllers) || !File.ReadAllText(controllers).Split(' ', '\n').Contains("cpu"))
        {
            throw new InvalidOperationException($"No CPU cgroup here: neither {V1Root}/cpu.cfs_quota_us (v1) nor the cpu controller in {controllers} (v2)");
        }

        File.WriteAllText(Path.Combine(V2Root, "cgroup.subtree_control"), "+cpu");
        var v2 = Path.Combine(V2Root, name);
        Directory.CreateDirectory(v2);
        File.WriteAllText(Path.Combine(v2, "cpu.max"), string.Create(CultureInfo.InvariantCulture, $"{quota} {PeriodMicroseconds}"));
        return new CpuCgroup(v2, v2: true);
    }

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into the group.</summary>
    public void Add(int pid) => File.WriteAllText(Path.Combine(_dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Seconds the group's processes were held back by the cap so far (v1 <c>throttled_time</c> ns, v2 <c>throttled_usec</c>).</summary>
    public double ThrottledSeconds() => ThrottledSeconds(File.ReadAllText(Path.Combine(_dir, "cpu.stat")), _v2);

    internal static double ThrottledSeconds(string cpuStat, bool v2)
    {
        var (key, scale) = v2 ? ("throttled_usec", 1e-6) : ("throttled_time", 1e-9);
        foreach (var line in cpuStat.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts is [var k, var v] && k == key)
            {
                return long.Parse(v, CultureInfo.InvariantCulture) * scale;
            }
        }

        throw new FormatException($"cpu.stat has no {key}: {cpuStat}");
    }

    public void Dispose()
    {
        // The processes are gone (reaped): an empty group can be removed.
        try
        {
            Directory.Delete(_dir);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"cgroup {_dir} not removed: {ex.Message}");
        }
    }
}
