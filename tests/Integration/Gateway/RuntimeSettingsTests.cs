namespace EdgeTwin.Integration.Tests.Gateway;

using System.Text.Json;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// Issue 15: the runtime settings a bedside box of 1-4 cores runs the gateway with, as the built
/// gateway the other integration tests start carries them (its <c>runtimeconfig.json</c>; a NativeAOT
/// publish bakes the same properties in): workstation GC without a background thread, no tiered PGO,
/// and no spinning for work in the thread pool's idle workers (docs/benchmarks.md "The thread pool's spinning").
/// </summary>
public class RuntimeSettingsTests
{
    [Fact]
    public void BuiltGateway_RunsWorkstationGcWithoutBackgroundThread_WithoutTieredPgo_AndWithoutThreadPoolSpinning()
    {
        var config = Path.ChangeExtension(GatewayProcess.GatewayDll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.Equal("0", properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").ToString());
    }
}
