namespace EdgeTwin.Gateway.Tests.Runtime;

using System.IO.MemoryMappedFiles;
using EdgeTwin.Gateway.Runtime;

public sealed class ResidentPagesTests
{
    private const string Smaps = """
        55d4a0000000-55d4a0400000 r--p 00000000 fd:01 101 /opt/edgetwin/EdgeTwin.Gateway
        Size:               4096 kB
        Rss:                 812 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me sd
        55d4a0400000-55d4a2000000 r-xp 00400000 fd:01 101 /opt/edgetwin/EdgeTwin.Gateway
        Size:              28672 kB
        Rss:               20480 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        55d4a2000000-55d4a2100000 r--p 02000000 fd:01 101 /opt/edgetwin/EdgeTwin.Gateway
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:          1024 kB
        VmFlags: rd mr mw me ac sd
        55d4a2100000-55d4a2200000 rw-p 02100000 fd:01 101 /opt/edgetwin/EdgeTwin.Gateway
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:           900 kB
        VmFlags: rd wr mr mw me ac sd
        55d4a3000000-55d4a3a00000 rw-p 00000000 00:00 0                          [heap]
        Size:              10240 kB
        Rss:               10240 kB
        Anonymous:         10240 kB
        VmFlags: rd wr mr mw me ac sd
        7f0000000000-7f0001000000 r-xp 00000000 fd:01 202 /opt/edgetwin/libonnxruntime.so
        Size:              16384 kB
        Rss:               15000 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        7f0001000000-7f0001100000 r-xp 00000000 00:01 7 /memfd:doublemapper (deleted)
        Size:               1024 kB
        Rss:               1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex sh mr mw me ms sd
        7f0001100000-7f0001200000 r--s 00000000 00:19 8 /dev/shm/segment
        Size:               1024 kB
        Rss:               1024 kB
        Anonymous:             0 kB
        VmFlags: rd sh mr mw me ms sd
        7f0001200000-7f0001300000 r--p 00000000 00:00 0
        Size:               1024 kB
        Rss:                 512 kB
        Anonymous:           512 kB
        VmFlags: rd mr mw me ac sd
        7f0001300000-7f0001400000 r--p 00000000 fd:01 303 /usr/lib/x86_64-linux-gnu/libssl.so.3
        Size:               1024 kB
        Rss:                   0 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me sd
        7f0001400000-7f0001500000 r--s 00000000 fd:01 404 /var/lib/edgetwin/a file with spaces.bin
        Size:               1024 kB
        Rss:                 256 kB
        Anonymous:             0 kB
        VmFlags: rd sh mr mw me ms sd
        7f0001500000-7f0001600000 r--p 00000000 fd:01 505 /usr/lib/no-anonymous-field.so
        Size:               1024 kB
        Rss:                 256 kB
        VmFlags: rd mr mw me sd
        7f0001600000-7f0001700000 r-xp 00000000 fd:01 606 /usr/lib/locked.so
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me lo sd
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Size:                  8 kB
        Rss:                   4 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me de sd
        """;

    [Fact]
    public void Releasable_TakesReadOnlyFileMappingsWithSomethingResident_NotWrittenToLockedOrSharedMemory()
    {
        var found = ResidentPages.Releasable(new StringReader(Smaps));

        Assert.Equal(
            [
                new ResidentPages.Mapping(0x55d4a0000000, 0x55d4a0400000, "/opt/edgetwin/EdgeTwin.Gateway", 812),
                new ResidentPages.Mapping(0x55d4a0400000, 0x55d4a2000000, "/opt/edgetwin/EdgeTwin.Gateway", 20480),
                new ResidentPages.Mapping(0x7f0000000000, 0x7f0001000000, "/opt/edgetwin/libonnxruntime.so", 15000),
                new ResidentPages.Mapping(0x7f0001400000, 0x7f0001500000, "/var/lib/edgetwin/a file with spaces.bin", 256),
            ],
            found);
    }

    [Fact]
    public void Releasable_EmptyOrGarbledText_FindsNothing()
    {
        Assert.Empty(ResidentPages.Releasable(new StringReader(string.Empty)));
        Assert.Empty(ResidentPages.Releasable(new StringReader("not smaps\nRss: 12 kB\nAnonymous: 0 kB\nzz-yy r-xp 0 0 0 /x\nRss: 4 kB\nAnonymous: 0 kB\n")));
    }

    /// <summary>
    /// A real file mapping of this process, read in full, then given back: its resident pages drop to
    /// (nearly) none, as /proc/self/smaps tells, and reading it again gives the same bytes.
    /// </summary>
    [Fact]
    public void Release_AFileMappingReadInFull_LeavesItsPagesNoLongerResident_AndItsContentUnchanged()
    {
        // Beside the test assembly, on the disk the build is on: a tmpfs /tmp holds files in memory, they cannot be paged out.
        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "resident-pages-" + Guid.NewGuid().ToString("N")));
        try
        {
            var path = Path.Combine(directory.FullName, "mapped.bin");
            const int size = 16 << 20;
            var content = new byte[size];
            new Random(15).NextBytes(content);
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(content);
                file.Flush(flushToDisk: true); // clean pages: the kernel can drop them without writing
            }

            using var mapped = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = mapped.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
            for (var offset = 0; offset < size; offset += 4096)
            {
                _ = view.ReadByte(offset);
            }

            var (start, end, before) = ResidentInSmaps(path);
            Assert.True(before >= 15 * 1024, $"read in full: {before} KiB resident");

            var outcome = ResidentPages.Release([new ResidentPages.Mapping(start, end, path, before)]);

            Assert.Null(outcome.NotDone);
            Assert.Equal((1, 0), (outcome.Advised, outcome.Failed));
            var after = ResidentInSmaps(path).ResidentKiB;
            Assert.True(after <= 1024, $"after the release {after} KiB of {before} still resident");

            var again = new byte[size];
            view.ReadArray(0, again, 0, size);
            Assert.Equal(content, again);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Release_AMappingGoneMeanwhile_CountsItFailed_AndGoesOnWithTheRest()
    {
        // Nothing is mapped at the first pages of the address space (vm.mmap_min_addr): madvise answers ENOMEM.
        var gone = new ResidentPages.Mapping(0x1000, 0x3000, "/gone", 8);
        ResidentPages.Mapping present;
        using (var smaps = new StreamReader("/proc/self/smaps"))
        {
            present = ResidentPages.Releasable(smaps)[0]; // one of this process's libraries
        }

        var outcome = ResidentPages.Release([gone, present]);

        Assert.Null(outcome.NotDone);
        Assert.Equal((1, 1), (outcome.Advised, outcome.Failed));
        Assert.Equal(present.ResidentKiB, outcome.AdvisedKiB);
    }

    /// <summary>
    /// Every mapping answered with EINVAL (here an address not on a page boundary, as a kernel without
    /// MADV_PAGEOUT answers every call): nothing was taken, and the outcome says why instead of a count.
    /// </summary>
    [Fact]
    public void Release_EveryAnswerEinval_IsNotDone_SayingTheKernelTakesNoPageout()
    {
        var outcome = ResidentPages.Release([new ResidentPages.Mapping(0x10001, 0x12001, "/unaligned", 8)]);

        Assert.Equal("the kernel takes no MADV_PAGEOUT (Linux 5.4 and later)", outcome.NotDone);
        Assert.Equal((0, 1), (outcome.Advised, outcome.Failed));
        Assert.Equal(outcome.RssKiBBefore, outcome.RssKiBAfter);
    }

    /// <summary>
    /// The one mapping of <paramref name="path"/> in this process and its resident KiB, read from /proc/self/smaps
    /// here rather than with the parser under test.
    /// </summary>
    private static (ulong Start, ulong End, long ResidentKiB) ResidentInSmaps(string path)
    {
        (ulong Start, ulong End, long ResidentKiB)? found = null;
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var first = line.Split(' ')[0];
            if (!first.EndsWith(':')) // a mapping's header ("start-end perms offset dev inode path"), not a "Name: value" line
            {
                inside = line.EndsWith(" " + path, StringComparison.Ordinal);
                if (inside)
                {
                    Assert.Null(found); // one mapping of the file
                    var range = first.Split('-');
                    found = (Convert.ToUInt64(range[0], 16), Convert.ToUInt64(range[1], 16), 0);
                }
            }
            else if (inside && first == "Rss:")
            {
                found = found!.Value with { ResidentKiB = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) };
            }
        }

        return found ?? throw new InvalidOperationException($"{path} is not mapped");
    }
}
