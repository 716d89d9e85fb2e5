namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Globalization;

/// <summary>
/// A memory cgroup made for one measured process and removed after it (needs root). cgroup v1
/// (<c>memory.limit_in_bytes</c>, where the memory controller is a v1 hierarchy, as on this machine) or
/// cgroup v2 (<c>memory.max</c>, where the unified hierarchy has the memory controller; written for such
/// systems, not run on this one). A process joins through <see cref="Wrap"/>: a shell that writes its own
/// pid into <c>cgroup.procs</c> and then execs the command, so everything it maps is charged here.
/// </summary>
internal sealed class MemoryCgroup : IDisposable
{
    private MemoryCgroup(int version, string path, long limit)
    {
        (Version, Path, Limit) = (version, path, limit);
    }

    public int Version { get; }

    public string Path { get; }

    public long Limit { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Creates the group with its limit; throws with the reason when the box cannot.</summary>
    public static MemoryCgroup Create(string name, long limit)
    {
        var (version, path) = Cgroup.Make("memory", name);
        var group = new MemoryCgroup(version, path, limit);
        try
        {
            File.WriteAllText(group.Entry(version == 1 ? "memory.limit_in_bytes" : "memory.max"), limit.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            group.Dispose();
            throw;
        }

        return group;
    }

    /// <summary>The command, started so that it is in this group before it maps anything.</summary>
    public ProcessStartInfo Wrap(string fileName, IEnumerable<string> arguments) =>
        new("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", Entry("cgroup.procs"), fileName, .. arguments]);

    /// <summary>Whether <paramref name="pid"/> is in this group (its <c>/proc/PID/cgroup</c>).</summary>
    public bool Holds(int pid) =>
        System.IO.File.ReadLines($"/proc/{pid}/cgroup").Any(line => line.EndsWith("/" + Name, StringComparison.Ordinal)
            && (Version == 2 ? line.StartsWith("0::", StringComparison.Ordinal) : line.Split(':')[1].Split(',').Contains("memory")));

    public GroupReading Read()
    {
        var stat = MemoryFiles.KeyValues(System.IO.File.ReadAllText(Entry("memory.stat")));
        if (Version == 1)
        {
            var oom = MemoryFiles.KeyValues(System.IO.File.ReadAllText(Entry("memory.oom_control")));
            return new GroupReading(
                Number("memory.usage_in_bytes"),
                Number("memory.max_usage_in_bytes"),
                Number("memory.failcnt"),
                oom.GetValueOrDefault("oom_kill"),
                stat.GetValueOrDefault("rss") + stat.GetValueOrDefault("rss_huge"),
                stat.GetValueOrDefault("cache"),
                stat.GetValueOrDefault("mapped_file"));
        }

        var events = MemoryFiles.KeyValues(System.IO.File.ReadAllText(Entry("memory.events")));

        // memory.peak exists from Linux 5.19; "max" in memory.events counts the times usage reached the limit.
        return new GroupReading(
            Number("memory.current"),
            System.IO.File.Exists(Entry("memory.peak")) ? Number("memory.peak") : -1,
            events.GetValueOrDefault("max"),
            events.GetValueOrDefault("oom_kill"),
            stat.GetValueOrDefault("anon"),
            stat.GetValueOrDefault("file"),
            stat.GetValueOrDefault("file_mapped"));
    }

    /// <summary>Removes the group once its processes are gone.</summary>
    public void Dispose() => Cgroup.Remove(Path);

    private string Entry(string name) => System.IO.Path.Combine(Path, name);

    private long Number(string name) =>
        long.Parse(System.IO.File.ReadAllText(Entry(name)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
