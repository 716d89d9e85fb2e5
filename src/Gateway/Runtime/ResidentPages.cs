namespace EdgeTwin.Gateway.Runtime;

using System.Globalization;
using System.Runtime.InteropServices;

/// <summary>
/// Gives back to the kernel the pages of the process's read-only file mappings (its executable, the
/// runtime's and ONNX Runtime's libraries) with <c>madvise(MADV_PAGEOUT)</c>, once start-up is done.
/// Start-up reads far more code than the steady state runs: ONNX Runtime registers every CPU kernel
/// when the first session is made (nearly its whole 18 MiB text), the host, configuration and the
/// first connection run once. Those pages are clean copies of files on disk, so the kernel drops them
/// without writing anything; whatever the gateway still runs comes back at its next use (a page fault,
/// served from the page cache or the disk). What the kernel does under memory pressure anyway, done
/// once on purpose, so the resident set is the working set (issue 15, docs/benchmarks.md).
/// A mapping with anonymous (written) pages is left alone: without swap they could not go, with swap
/// they would be written out. Linux 5.4 and later; elsewhere nothing is done and the answer says why.
/// </summary>
internal static partial class ResidentPages
{
    private const int MadvPageout = 21;
    private const int Einval = 22;

    /// <summary>One mapping of <c>/proc/self/smaps</c> that may be given back.</summary>
    public readonly record struct Mapping(ulong Start, ulong End, string Path, long ResidentKiB);

    /// <summary>What one release did: the resident set before and after, as <c>/proc/self/status</c> gave it.</summary>
    public readonly record struct Outcome(int Advised, int Failed, long AdvisedKiB, long RssKiBBefore, long RssKiBAfter, long FileKiBBefore, long FileKiBAfter, string? NotDone);

    /// <summary>
    /// The mappings of an smaps text that may be given back: backed by a file (a path, not
    /// <c>[heap]</c>, an anonymous mapping or a memfd), not writable, no anonymous pages in them, and
    /// something resident.
    /// </summary>
    public static IReadOnlyList<Mapping> Releasable(TextReader smaps)
    {
        ArgumentNullException.ThrowIfNull(smaps);
        var found = new List<Mapping>();
        (ulong Start, ulong End, string Path, bool Candidate)? current = null;
        long rss = 0, anonymous = -1;
        var locked = false;

        void Close()
        {
            if (current is { Candidate: true } c && rss > 0 && anonymous == 0 && !locked)
            {
                found.Add(new Mapping(c.Start, c.End, c.Path, rss));
            }
        }

        while (smaps.ReadLine() is { } line)
        {
            if (TryHeader(line, out var start, out var end, out var perms, out var path))
            {
                Close();
                current = (start, end, path, IsFile(path) && perms.Length >= 2 && perms[1] != 'w');
                rss = 0;
                anonymous = -1; // unknown until read: a mapping without the field is not given back
                locked = false;
            }
            else if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                locked = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("lo"); // mlock()ed: the kernel refuses (EINVAL)
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = KiB(line);
            }
            else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                anonymous = KiB(line);
            }
        }

        Close();
        return found;
    }

    /// <summary>
    /// Advises every mapping in <paramref name="mappings"/> out (<c>MADV_PAGEOUT</c>). A mapping the kernel
    /// does not take (gone meanwhile: <c>ENOMEM</c>; locked: <c>EINVAL</c>; a system-call filter: <c>EPERM</c>)
    /// counts as failed and the rest go on; when none was taken and every answer was <c>EINVAL</c>, the
    /// kernel has no such advice and <see cref="Outcome.NotDone"/> says so.
    /// </summary>
    public static Outcome Release(IReadOnlyList<Mapping> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        if (!OperatingSystem.IsLinux())
        {
            return new Outcome(0, 0, 0, 0, 0, 0, 0, "not Linux");
        }

        var (rssBefore, fileBefore) = Status();
        int advised = 0, failed = 0, invalid = 0;
        long advisedKiB = 0;
        foreach (var mapping in mappings)
        {
            if (Madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadvPageout) == 0)
            {
                advised++;
                advisedKiB += mapping.ResidentKiB;
                continue;
            }

            failed++;
            if (Marshal.GetLastPInvokeError() == Einval)
            {
                invalid++;
            }
        }

        if (advised == 0 && invalid > 0 && invalid == failed)
        {
            return new Outcome(0, failed, 0, rssBefore, rssBefore, fileBefore, fileBefore, "the kernel takes no MADV_PAGEOUT (Linux 5.4 and later)");
        }

        var (rssAfter, fileAfter) = Status();
        return new Outcome(advised, failed, advisedKiB, rssBefore, rssAfter, fileBefore, fileAfter, null);
    }

    /// <summary>Reads <c>/proc/self/smaps</c> and gives back what may be (<see cref="Releasable"/>).</summary>
    public static Outcome ReleaseOwn()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new Outcome(0, 0, 0, 0, 0, 0, 0, "not Linux");
        }

        IReadOnlyList<Mapping> mappings;
        using (var smaps = new StreamReader("/proc/self/smaps"))
        {
            mappings = Releasable(smaps);
        }

        return Release(mappings);
    }

    /// <summary><c>VmRSS</c> and <c>RssFile</c> of <c>/proc/self/status</c>, in KiB (0 when not there).</summary>
    private static (long Rss, long File) Status()
    {
        long rss = 0, file = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiB(line);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = KiB(line);
            }
        }

        return (rss, file);
    }

    /// <summary>
    /// A file on a filesystem: not <c>[heap]</c> and the like, not anonymous, not shared memory (a memfd,
    /// such as the JIT's double-mapped code, <c>/dev/shm</c>, System V): those are memory, not copies of a file.
    /// </summary>
    private static bool IsFile(string path) =>
        path.StartsWith('/')
        && !path.StartsWith("/memfd:", StringComparison.Ordinal)
        && !path.StartsWith("/dev/", StringComparison.Ordinal)
        && !path.StartsWith("/SYSV", StringComparison.Ordinal);

    /// <summary><c>start-end perms offset dev inode [path]</c>; the path may hold spaces.</summary>
    private static bool TryHeader(string line, out ulong start, out ulong end, out string perms, out string path)
    {
        start = end = 0;
        perms = path = string.Empty;
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0].Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end)
            || end <= start)
        {
            return false;
        }

        perms = fields[1];
        path = fields.Length == 6 ? fields[5].Trim() : string.Empty;
        return true;
    }

    /// <summary>The number of a <c>Name:   123 kB</c> line; -1 when it has none.</summary>
    private static long KiB(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
