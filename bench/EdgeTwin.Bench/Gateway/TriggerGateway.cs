namespace EdgeTwin.Bench.Gateway;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The real gateway composition plus the bench's <see cref="TriggerDriver"/> beside the configured
/// drivers and an <see cref="AlarmCommits"/> listener, with no onset or clear delay: the sample that
/// crosses the limit raises (or clears) the alarm at once. Shared by the alarm latency runs.
/// </summary>
internal static class TriggerGateway
{
    public static WebApplication Build(string[] args, out TriggerDriver trigger, out AlarmCommits commits)
    {
        var builder = GatewayHost.CreateBuilder([.. args, "--Simulation:Scenario=stable", "--Inference:Alarms:OnsetDelay=00:00:00", "--Inference:Alarms:ClearDelay=00:00:00"]);
        var listener = new AlarmCommits();
        builder.Services.AddSingleton<ICommitListener>(listener);
        var driver = new TriggerDriver();
        var drivers = builder.Services.Last(d => d.ServiceType == typeof(IDriverSource));
        builder.Services.Remove(drivers);
        builder.Services.AddSingleton<IDriverSource>(sp => new WithTrigger(
            (IDriverSource)(drivers.ImplementationFactory?.Invoke(sp) ?? drivers.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, drivers.ImplementationType!)), driver));
        trigger = driver;
        commits = listener;
        return builder.Build();
    }
}
