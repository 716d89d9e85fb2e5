namespace EdgeTwin.Docs.Tests;

using System.Diagnostics;
using System.Text;

/// <summary>A documented command run by bash, as a reader would paste it.</summary>
internal sealed class Shell : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> waits = [];

    private Shell(string command, string directory)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["DOTNET_NOLOGO"] = "1";
        Command = command;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Command { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Runs to its end (at most <paramref name="timeout"/>): exit code and what it wrote (stdout and stderr).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string command, string directory, TimeSpan timeout)
    {
        using var shell = new Shell(command, directory);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await shell.process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"'{command}' did not end within {timeout}:\n{shell.Output}");
        }

        return (shell.process.ExitCode, shell.Output);
    }

    /// <summary>Starts a command that runs until stopped (a gateway).</summary>
    public static Shell Start(string command, string directory) => new(command, directory);

    /// <summary>The first output line that <paramref name="match"/> accepts, as it arrives.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (output)
        {
            if (output.ToString().Split('\n').FirstOrDefault(match) is { } already)
            {
                return already;
            }

            waits.Add((match, seen));
        }

        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(seen.Task, exited, Task.Delay(timeout)) != seen.Task)
        {
            throw new Xunit.Sdk.XunitException($"{what}: not seen within {timeout}{(exited.IsCompleted ? " (it exited)" : string.Empty)} from '{Command}':\n{Output}");
        }

        return await seen.Task;
    }

    /// <summary>SIGTERM to the command (bash execs it), then waits for its end.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    public static int FreePort() => EdgeTwin.Ingest.Tests.Support.FreePort.Next();

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
            foreach (var wait in waits.Where(w => w.Match(line)).ToList())
            {
                waits.Remove(wait);
                wait.Seen.TrySetResult(line);
            }
        }
    }
}
