namespace EdgeTwin.Bench;

using System.Diagnostics;
using EdgeTwin.Bench.Gateway;

/// <summary>
/// A cgroup directory made for one bench run under a controller's hierarchy, and its removal: the part the
/// memory groups of <c>gateway-footprint --memory-limit</c> (<see cref="MemoryCgroup"/>) and the CPU groups of
/// <c>ingest-load --worker-cpu</c> (<see cref="Ingest.CpuCgroup"/>) share. Needs root.
/// </summary>
internal static class Cgroup
{
    /// <summary>
    /// Makes <paramref name="name"/> under <paramref name="controller"/>'s hierarchy (<see cref="MemoryFiles.Hierarchy"/>:
    /// a v1 mount of it, else the unified v2 hierarchy, where the controller is then enabled for the root's
    /// children); throws with the reason when the box has no such controller.
    /// </summary>
    public static (int Version, string Path) Make(string controller, string name)
    {
        var (version, root) = MemoryFiles.Hierarchy(File.ReadAllText("/proc/self/mounts"), controller)
            ?? throw new InvalidOperationException($"no cgroup {controller} controller is mounted (/proc/self/mounts)");
        if (version == 2)
        {
            var controllers = File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries);
            if (!controllers.Contains(controller))
            {
                throw new InvalidOperationException($"the cgroup v2 hierarchy at {root} has no {controller} controller (cgroup.controllers: {string.Join(' ', controllers)})");
            }

            // The root is exempt from "no processes in an inner group", so its children may take the controller.
            File.WriteAllText(Path.Combine(root, "cgroup.subtree_control"), "+" + controller);
        }

        var path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        return (version, path);
    }

    /// <summary>Removes a group once its processes are gone (the kernel moves what is still charged to the parent).</summary>
    public static void Remove(string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Directory.Delete(path);
                return;
            }
            catch (IOException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                // A killed process leaves its group a moment after it is reaped.
                Thread.Sleep(50);
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
        }
    }
}
