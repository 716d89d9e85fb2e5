namespace EdgeTwin.Integration.Tests.Support;

using EdgeTwin.Cli;

/// <summary>The <c>edgetwin</c> tool run in this process, as a user runs it: exit code, stdout, stderr.</summary>
internal static class Tool
{
    public static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(TimeProvider.System, args);

    public static async Task<(int Code, string Out, string Err)> RunAsync(TimeProvider time, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, time, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
