namespace EdgeTwin.Bench.Telemetry;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// <c>-- telemetry-scale</c>: the speed and memory targets, measured in process CPU time
/// (the build machine is shared, so wall time says more about the neighbours than about us).
/// Writer: obs records without checkpoints (signatures and I/O excluded). Verifier: a chain with a
/// checkpoint every 256 records, streamed from the writer in batches (the capture is never held
/// whole), 10^5 and then 10^6 records; the verifier's retained heap must stay flat.
/// </summary>
internal static class TelemetryScaleCheck
{
    private const int Batch = 8192;

    public static int Run(TextWriter output)
    {
        using var key = BenchChains.TestKey();
        Writer(output, key, 50_000); // warm-up: JIT and tiering
        var writerRate = Writer(output, key, 300_000);

        Breakdown(output, key);
        var retained = new List<long>();
        var rates = new List<double>();
        foreach (var count in new[] { 200_000L, 100_000L, 1_000_000L }) // the first run warms up JIT tiers
        {
            var verifier = new StreamVerifier(new VerifierOptions());
            var verifyCpu = TimeSpan.Zero;
            var batch = new List<byte[]>(Batch);
            using var records = BenchChains.Stream(key, count, 256).GetEnumerator();
            var more = true;
            while (more)
            {
                batch.Clear();
                while (batch.Count < Batch && (more = records.MoveNext()))
                {
                    batch.Add(records.Current.Payload);
                }

                var start = Cpu();
                foreach (var payload in batch)
                {
                    verifier.Add(payload);
                }

                verifyCpu += Cpu() - start;
            }

            batch.Clear();
            var heap = Heap();
            var report = verifier.Report()[0];
            GC.KeepAlive(verifier);
            retained.Add(heap);
            rates.Add(count / verifyCpu.TotalSeconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verifier: {count,9:N0} records ({count / 257:N0} checkpoints) in {verifyCpu.TotalSeconds:N2} s CPU = {count / verifyCpu.TotalSeconds,9:N0} records/s; verified {report.Verified:N0}, pending {report.Pending}; heap with verifier alive {heap / 1024.0 / 1024.0:N2} MiB"));
        }

        var growth = retained[2] - retained[1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"heap growth 10^5 -> 10^6 records: {growth / 1024.0:N0} KiB"));
        var ok = growth < 1024 * 1024 && writerRate >= 200_000 && rates[1] >= 200_000 && rates[2] >= 200_000;
        output.WriteLine(ok ? "PASS: writer and verifier >= 200,000 records/s, memory flat" : "FAIL: a target was missed");
        return ok ? 0 : 1;
    }

    private static double Writer(TextWriter output, EdgeTwin.Telemetry.Signing.GatewayKey key, int count)
    {
        var bodies = Enumerable.Range(0, count).Select(i => BenchChains.Obs(i)).ToArray();
        var policy = new CheckpointPolicy { MaxRecords = int.MaxValue, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew("ward7-bed12", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "bench", BenchChains.T0, ClockQuality.Synced, out _);
        long bytes = 0;
        var start = Cpu();
        foreach (var body in bodies)
        {
            bytes += w.AppendObs(body, BenchChains.T0, ClockQuality.Synced).Payload.Length;
        }

        var cpu = Cpu() - start;
        var rate = count / cpu.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"writer:   {count,9:N0} obs records ({bytes / count} bytes each) in {cpu.TotalSeconds:N2} s CPU = {rate,9:N0} records/s"));
        return rate;
    }

    /// <summary>What one record costs, part by part: SHA-256, JSON parse + chain state, signature recovery.</summary>
    private static void Breakdown(TextWriter output, EdgeTwin.Telemetry.Signing.GatewayKey key)
    {
        var payloads = BenchChains.Stream(key, 25_700, 256).Select(r => r.Payload).ToArray();
        var start = Cpu();
        for (var round = 0; round < 4; round++)
        {
            foreach (var p in payloads)
            {
                System.Security.Cryptography.SHA256.HashData(p);
            }
        }

        var sha = (Cpu() - start).TotalSeconds / (4 * payloads.Length);
        var digest = new byte[32];
        var sig = key.SignDigest(digest);
        for (var i = 0; i < 1000; i++)
        {
            EdgeTwin.Telemetry.Signing.Eip191.TryRecover(digest, sig, out _, out _); // warm-up: tier-1 JIT of the curve code
        }

        start = Cpu();
        for (var i = 0; i < 400; i++)
        {
            EdgeTwin.Telemetry.Signing.Eip191.TryRecover(digest, sig, out _, out _);
        }

        var recover = (Cpu() - start).TotalSeconds / 400;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per record: SHA-256 {sha * 1e6:N2} us; per checkpoint: signature recovery {recover * 1e6:N0} us = {recover / 257 * 1e6:N2} us per record at 1 in 257"));
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
