namespace EdgeTwin.Cli.Verify;

using System.Globalization;

/// <summary>The default, human-readable verify summary.</summary>
internal static class HumanReport
{
    public static void Write(TextWriter w, CaptureVerification result)
    {
        foreach (var c in result.Chains)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(c.Sound ? "OK  " : "FAIL")} {c.Chain}  key {c.Key ?? "(no genesis)"}"));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"     received {c.Received}, verified {c.Verified} (through seq {c.VerifiedThrough}), pending {c.Pending}, gap-covered {c.GapCovered}, missing {c.Missing}"));
            if (c.From > 0)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"     verified from seq {c.From}: seqs before it are out of scope ({c.BeforeStart} records received before it)"));
            }

            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"     duplicates {c.Duplicates}, forks {c.Forks}, unsigned branch {c.UnsignedBranch}, broken links {c.BrokenLinks}, bad signatures {c.BadSigs}, unknown signer {c.UnknownSigner}, rejected {c.Rejected}"));
            foreach (var p in c.Problems)
            {
                w.WriteLine($"     - {p}");
            }
        }

        if (result.Unattributed > 0)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL {result.Unattributed} entries belong to no chain"));
            foreach (var p in result.UnattributedProblems)
            {
                w.WriteLine($"     - {p}");
            }
        }

        if (result.OtherTopics > 0)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"skipped {result.OtherTopics} messages on status, twin, alarm-status, receipt, resend and probe topics"));
        }

        foreach (var (kind, (records, samples)) in result.Samples.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: {records} records, {samples} samples"));
        }

        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(result.Sound ? "SOUND" : "NOT SOUND")}: {result.Chains.Count} chains, {result.Chains.Sum(c => c.Received)} records, {result.Chains.Sum(c => c.Verified)} verified"));
    }
}
