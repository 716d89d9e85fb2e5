namespace EdgeTwin.Integration.Tests.Deploy;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// The shipped unit files as systemd rates them: <c>systemd-analyze security --offline=true</c> on
/// each file (no systemd running needed) must give an overall exposure of 2.5 or lower (issue 14;
/// the first gateway unit rated 8.5). The figures go to the test output.
/// </summary>
public sealed partial class UnitSecurityTests(ITestOutputHelper output)
{
    private const double Ceiling = 2.5;

    [Theory]
    [InlineData("edgetwin-gateway.service")]
    [InlineData("edgetwin-ingest.service")]
    public void UnitFile_ExposureIs2Point5OrLower(string unit)
    {
        var (exit, text, error) = Analyze(Path.Combine(Repository.Root, "deploy", "systemd", unit));

        Assert.True(exit == 0, $"systemd-analyze exit {exit}: {error}");
        var match = Overall().Match(text);
        Assert.True(match.Success, "no overall exposure line in:\n" + text);
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{unit}: overall exposure {exposure.ToString("0.0", CultureInfo.InvariantCulture)} (ceiling {Ceiling.ToString("0.0", CultureInfo.InvariantCulture)})");
        foreach (var line in text.Split('\n').Where(l => l.StartsWith('✗')))
        {
            output.WriteLine("  " + Regex.Replace(line, @"\s{2,}", "  ").Trim());
        }

        Assert.True(exposure <= Ceiling, $"{unit} rates {exposure}, above {Ceiling}:\n{text}");
        Assert.DoesNotContain("Unknown key", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Err) Analyze(string file)
    {
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var arg in new[] { "security", "--offline=true", "--no-pager", file })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("systemd-analyze (package systemd) is needed: scripts/test.sh installs it");
        var text = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "systemd-analyze must end");
        return (process.ExitCode, text.Result, error);
    }

    [GeneratedRegex(@"Overall exposure level for [^:]+: (?<score>\d+\.\d+)")]
    private static partial Regex Overall();
}
