namespace EdgeTwin.Bench.Gateway;

/// <summary>
/// A memory cgroup's counters at one moment, in bytes. <paramref name="Failures"/>: v1 <c>memory.failcnt</c>
/// (charges refused at the limit, each followed by reclaim), v2 <c>memory.events</c> "max". <paramref name="MaxUsage"/>
/// is -1 where the kernel keeps no peak (cgroup v2 before Linux 5.19). <paramref name="File"/> is all page cache charged
/// to the group (the outbox's written files too), <paramref name="MappedFile"/> the part of it mapped into the process.
/// </summary>
internal sealed record GroupReading(long Usage, long MaxUsage, long Failures, long OomKills, long Anon, long File, long MappedFile);
