namespace EdgeTwin.Ingest.Tests.Integration;

using System.Diagnostics;
using System.Text;

/// <summary>
/// An ingest worker as a real child process (<c>dotnet EdgeTwin.Ingest.dll</c>), so a test can
/// SIGKILL it mid-run. Its console output is kept for failure messages.
/// </summary>
internal sealed class IngestWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IngestWorkerProcess(IEnumerable<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeTwin.Ingest.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__EdgeTwin"] = "Information";
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the ingest");
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task WaitSubscribedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _subscribed.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"worker {Id} did not subscribe in {timeout}: {Output}");
        }
    }

    /// <summary>Waits for the process to end by itself (a refused start); its exit code, or null when it still runs after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return null;
        }

        _process.WaitForExit(); // the output readers have drained
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Subscribed to", StringComparison.Ordinal))
        {
            _subscribed.TrySetResult();
        }
    }
}
