namespace EdgeTwin.Cli.Tests;

/// <summary>Runs the real command line in-process with captured output.</summary>
internal static class Cli
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = await CliApp.RunAsync(args, stdout, stderr, TimeProvider.System, timeout.Token);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public static string Vector(string name) => Path.Combine(AppContext.BaseDirectory, "vectors", name);
}
