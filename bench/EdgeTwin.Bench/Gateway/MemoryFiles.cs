namespace EdgeTwin.Bench.Gateway;

using System.Globalization;

/// <summary>
/// The kernel's text files that <c>gateway-footprint --memory-limit</c> reads, parsed: the mount table (where
/// the memory controller is), cgroup key-value files (<c>memory.stat</c>, v1 <c>memory.oom_control</c>, v2
/// <c>memory.events</c>), <c>/proc/PID/stat</c> and <c>/proc/PID/status</c>, and <c>fincore</c>'s output.
/// A file that is not what it should be is an error naming the line, never a silent zero.
/// </summary>
internal static class MemoryFiles
{
    /// <summary>The memory controller's hierarchy (<see cref="Hierarchy"/>).</summary>
    public static (int Version, string Path)? MemoryHierarchy(string mounts) => Hierarchy(mounts, "memory");

    /// <summary>
    /// A controller's hierarchy from <c>/proc/self/mounts</c>: a cgroup v1 mount with the <paramref name="controller"/>
    /// option first (a hybrid system keeps it there), else the cgroup v2 mount, whose controllers the caller
    /// still has to check (<c>cgroup.controllers</c>). Null when neither is mounted.
    /// </summary>
    public static (int Version, string Path)? Hierarchy(string mounts, string controller)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        string? unified = null;
        foreach (var line in mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 4)
            {
                throw new FormatException($"mount table: '{line}' has fewer than 4 fields");
            }

            if (fields[2] == "cgroup" && fields[3].Split(',').Contains(controller))
            {
                return (1, Unescape(fields[1]));
            }

            if (fields[2] == "cgroup2")
            {
                unified ??= Unescape(fields[1]);
            }
        }

        return unified is null ? null : (2, unified);
    }

    /// <summary>Lines of "key value" (memory.stat, memory.oom_control, memory.events).</summary>
    public static Dictionary<string, long> KeyValues(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"cgroup file: '{line}' is not 'key value'");
            }

            values[fields[0]] = value;
        }

        return values;
    }

    /// <summary>
    /// Field 12 of <c>/proc/PID/stat</c>, <c>majflt</c>: the process's major page faults (each a read from
    /// the disk). The name in field 2 may hold spaces and parentheses, so fields count from its last ')'.
    /// </summary>
    public static long MajorFaults(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        var fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // After the name: field 3 (state) is fields[0], so field 12 is fields[9].
        return fields.Length > 9 && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var faults)
            ? faults
            : throw new FormatException($"/proc/PID/stat: no field 12 in '{stat.Trim()}'");
    }

    /// <summary>A "Key:  1234 kB" line of <c>/proc/PID/status</c>, in kB.</summary>
    public static long StatusKb(string status, string key)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var fields = line[(key.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return fields is [var kb, "kB"] && long.TryParse(kb, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new FormatException($"/proc/PID/status: '{line}' is not '{key}: N kB'");
            }
        }

        throw new FormatException($"/proc/PID/status: no {key} line");
    }

    /// <summary>
    /// <c>fincore --bytes --noheadings --raw --output RES,FILE</c>: resident bytes per file. Raw output
    /// escapes a space in a name as <c>\x20</c>.
    /// </summary>
    public static List<(string File, long Resident)> Fincore(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var files = new List<(string, long)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var resident) || space == line.Length - 1)
            {
                throw new FormatException($"fincore: '{line}' is not 'RES FILE'");
            }

            files.Add((line[(space + 1)..].Replace("\\x20", " ", StringComparison.Ordinal), resident));
        }

        return files;
    }

    /// <summary>The mount table writes a space in a path as \040.</summary>
    private static string Unescape(string path) => path.Replace("\\040", " ", StringComparison.Ordinal);
}
