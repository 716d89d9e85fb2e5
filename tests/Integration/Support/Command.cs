namespace EdgeTwin.Integration.Tests.Support;

using System.Diagnostics;

/// <summary>A system command run to completion: its exit code and output (-1 and the reason when it cannot start).</summary>
internal static class Command
{
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
