namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// The page cache of the files a measured gateway maps. A page is charged to the cgroup that first faulted
/// it, so before a run under a limit the files are evicted (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>) and
/// the gateway's own faults charge them to its group. The kernel keeps a page another process has mapped
/// (libc; for a framework-dependent build, the runtime this bench runs on), so what stays is measured with
/// <c>fincore</c> (util-linux) and reported.
/// </summary>
internal static partial class PageCache
{
    private const int FadviseDontNeed = 4;

    /// <summary>Evicts each file; returns the files that could not be opened or advised, with the reason.</summary>
    public static List<string> Evict(IEnumerable<string> files)
    {
        var failed = new List<string>();
        foreach (var file in files)
        {
            try
            {
                using var handle = System.IO.File.OpenHandle(file);
                var error = Fadvise(handle, 0, 0, FadviseDontNeed);
                if (error != 0)
                {
                    failed.Add($"{file}: posix_fadvise error {error}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failed.Add($"{file}: {ex.Message}");
            }
        }

        return failed;
    }

    /// <summary>Resident bytes per file, from <c>fincore</c>; null when fincore is not installed.</summary>
    public static List<(string File, long Resident)>? Resident(IReadOnlyCollection<string> files)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var start = new ProcessStartInfo("fincore", ["--bytes", "--noheadings", "--raw", "--output", "RES,FILE", .. files])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var fincore = Process.Start(start)!;
            var error = fincore.StandardError.ReadToEndAsync();
            var output = fincore.StandardOutput.ReadToEnd();
            fincore.WaitForExit();
            return fincore.ExitCode == 0
                ? MemoryFiles.Fincore(output)
                : throw new InvalidOperationException($"fincore exited with {fincore.ExitCode}: {error.GetAwaiter().GetResult().Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(SafeFileHandle fd, long offset, long length, int advice);
}
