namespace EdgeTwin.Gateway.Tests.Footprint;

using EdgeTwin.Bench.Gateway;

/// <summary>The kernel files <c>gateway-footprint --memory-limit</c> reads, as the kernel writes them.</summary>
public sealed class FootprintKernelFilesTests
{
    // This machine's mount table (Debian 12 container, kernel 6.18): the memory controller on a v1 hierarchy, a v2 mount beside it.
    private const string Hybrid = """
        overlay / overlay rw,relatime,lowerdir=/l,upperdir=/u,workdir=/w 0 0
        tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
        cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
        cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
        """;

    [Fact]
    public void MemoryHierarchy_Hybrid_TakesTheV1MemoryMount() =>
        Assert.Equal((1, "/sys/fs/cgroup/memory"), MemoryFiles.MemoryHierarchy(Hybrid));

    [Fact]
    public void Hierarchy_OfTheCpuController_TakesItsV1MountSharedWithCpuacct() =>
        Assert.Equal((1, "/sys/fs/cgroup/cpu,cpuacct"), MemoryFiles.Hierarchy("cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n", "cpu"));

    [Fact]
    public void MemoryHierarchy_UnifiedOnly_TakesTheV2Mount() =>
        Assert.Equal((2, "/sys/fs/cgroup"), MemoryFiles.MemoryHierarchy("proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"));

    [Fact]
    public void MemoryHierarchy_V1WithoutMemory_AndNoV2_IsNone() =>
        Assert.Null(MemoryFiles.MemoryHierarchy("cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\ncgroup /sys/fs/cgroup/memory_x cgroup rw,memory_recursiveprot 0 0\n"));

    [Fact]
    public void MemoryHierarchy_EscapedSpaceInThePath_IsUnescaped() =>
        Assert.Equal((1, "/mnt/my groups/memory"), MemoryFiles.MemoryHierarchy("cgroup /mnt/my\\040groups/memory cgroup rw,memory 0 0\n"));

    [Fact]
    public void MemoryHierarchy_TruncatedLine_IsAnError() =>
        Assert.Contains("fewer than 4 fields", Assert.Throws<FormatException>(() => MemoryFiles.MemoryHierarchy("cgroup /sys/fs/cgroup/memory\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void KeyValues_OomControl_GivesTheOomKills()
    {
        var values = MemoryFiles.KeyValues("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");

        Assert.Equal(3, values["oom_kill"]);
        Assert.Equal(3, values.Count);
    }

    [Theory]
    [InlineData("oom_kill\n")]
    [InlineData("oom_kill -1\n")]
    [InlineData("oom_kill 1 2\n")]
    public void KeyValues_LineNotKeyAndNumber_IsAnError(string text) =>
        Assert.Contains("is not 'key value'", Assert.Throws<FormatException>(() => MemoryFiles.KeyValues(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void MajorFaults_NameWithSpacesAndParentheses_IsField12AfterIt()
    {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime ...
        const string stat = "4242 (Edge (Twin) x) S 1 4242 4242 0 -1 4194560 1500 0 37 0 120 30 0 0 20 0 18 0\n";

        Assert.Equal(37, MemoryFiles.MajorFaults(stat));
    }

    [Theory]
    [InlineData("4242 (gw) S 1 4242 4242 0 -1 4194560 1500 0\n")]
    [InlineData("4242 gw S 1 4242 4242 0 -1 4194560 1500 0 37 0\n")]
    public void MajorFaults_TruncatedOrNameless_IsAnError(string stat) =>
        Assert.Contains("no field 12", Assert.Throws<FormatException>(() => MemoryFiles.MajorFaults(stat)).Message, StringComparison.Ordinal);

    [Fact]
    public void StatusKb_RssSplit_ReadsEachLine()
    {
        const string status = "Name:\tEdgeTwin.Gatewa\nVmHWM:\t   95108 kB\nVmRSS:\t   91852 kB\nRssAnon:\t   30544 kB\nRssFile:\t   61300 kB\nRssShmem:\t       8 kB\n";

        Assert.Equal((91852L, 30544L, 61300L, 8L), (MemoryFiles.StatusKb(status, "VmRSS"), MemoryFiles.StatusKb(status, "RssAnon"), MemoryFiles.StatusKb(status, "RssFile"), MemoryFiles.StatusKb(status, "RssShmem")));
    }

    [Theory]
    [InlineData("VmRSS:\t 91852 kB\n", "no RssAnon line")]
    [InlineData("RssAnon:\t 30544 pages\n", "is not 'RssAnon: N kB'")]
    public void StatusKb_MissingOrMalformed_IsAnError(string status, string why) =>
        Assert.Contains(why, Assert.Throws<FormatException>(() => MemoryFiles.StatusKb(status, "RssAnon")).Message, StringComparison.Ordinal);

    [Fact]
    public void Fincore_RawBytes_GivesResidentBytesPerFile_WithEscapedSpaces()
    {
        var files = MemoryFiles.Fincore("18939904 /tmp/aot/libonnxruntime.so\n0 /tmp/my\\x20dir/EdgeTwin.Gateway\n");

        Assert.Equal([("/tmp/aot/libonnxruntime.so", 18_939_904L), ("/tmp/my dir/EdgeTwin.Gateway", 0L)], files);
    }

    [Theory]
    [InlineData("18.1M /tmp/aot/libonnxruntime.so\n")]
    [InlineData("18939904\n")]
    [InlineData("18939904 \n")]
    public void Fincore_NotRawBytes_IsAnError(string output) =>
        Assert.Contains("is not 'RES FILE'", Assert.Throws<FormatException>(() => MemoryFiles.Fincore(output)).Message, StringComparison.Ordinal);
}
