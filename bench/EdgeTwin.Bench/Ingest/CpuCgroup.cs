namespace EdgeTwin.Bench.Ingest;

using System.Globalization;
using EdgeTwin.Bench.Gateway;

/// <summary>
/// A CPU cgroup capping its processes at a share of a core (CFS bandwidth: a quota per 100 ms period),
/// made for one bench run and removed after it (<see cref="Cgroup"/>). cgroup v1 (<c>cpu.cfs_quota_us</c>)
/// where the CPU controller is mounted so, as on this machine; else cgroup v2 (<c>cpu.max</c>) where the
/// unified hierarchy offers the CPU controller (written to the documented interface, not run here: this
/// machine's unified hierarchy has no controllers). Needs root.
/// </summary>
internal sealed class CpuCgroup : IDisposable
{
    private const int PeriodMicroseconds = 100_000;

    private readonly string _dir;
    private readonly bool _v2;

    private CpuCgroup(string dir, bool v2)
    {
        _dir = dir;
        _v2 = v2;
    }

    public string Describe => _v2 ? "cgroup v2 cpu.max per 100 ms" : "cgroup v1 cpu.cfs_quota_us per 100 ms";

    /// <summary>A new group <paramref name="name"/> whose processes together get at most <paramref name="cores"/> of a core.</summary>
    public static CpuCgroup Create(string name, double cores)
    {
        var quota = (long)Math.Round(cores * PeriodMicroseconds);
        var (version, dir) = Cgroup.Make("cpu", name);
        var group = new CpuCgroup(dir, version == 2);
        try
        {
            if (version == 1)
            {
                File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                File.WriteAllText(Path.Combine(dir, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                File.WriteAllText(Path.Combine(dir, "cpu.max"), string.Create(CultureInfo.InvariantCulture, $"{quota} {PeriodMicroseconds}"));
            }
        }
        catch
        {
            group.Dispose();
            throw;
        }

        return group;
    }

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into the group.</summary>
    public void Add(int pid) => File.WriteAllText(Path.Combine(_dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Seconds the group's processes were held back by the cap so far (v1 <c>throttled_time</c> ns, v2 <c>throttled_usec</c>).</summary>
    public double ThrottledSeconds() => ThrottledSeconds(File.ReadAllText(Path.Combine(_dir, "cpu.stat")), _v2);

    internal static double ThrottledSeconds(string cpuStat, bool v2)
    {
        var (key, scale) = v2 ? ("throttled_usec", 1e-6) : ("throttled_time", 1e-9);
        return MemoryFiles.KeyValues(cpuStat).TryGetValue(key, out var value)
            ? value * scale
            : throw new FormatException($"cpu.stat has no {key}: {cpuStat}");
    }

    /// <summary>Removes the group once its processes are gone.</summary>
    public void Dispose() => Cgroup.Remove(_dir);
}
