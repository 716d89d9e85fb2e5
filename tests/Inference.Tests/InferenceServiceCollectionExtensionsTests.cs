namespace EdgeTwin.Inference.Tests;

using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

public class InferenceServiceCollectionExtensionsTests
{
    [Fact]
    public void AddEdgeTwinInference_BindsTheSectionAndUsesTheRegisteredClock()
    {
        var time = new FakeTimeProvider(VitalFixture.Start);
        using var provider = Build(time, new()
        {
            ["Inference:News2:PulseMaxAge"] = "00:02:00",
            ["Inference:Alarms:OnsetDelay"] = "00:00:03",
            ["Inference:Alarms:Thresholds:0:Condition"] = "spo2-low",
            ["Inference:Alarms:Thresholds:0:Stream"] = "loinc:59408-5",
            ["Inference:Alarms:Thresholds:0:Below"] = "92",
            ["Inference:Alarms:Thresholds:0:Text"] = "SpO2 low",
        });

        var options = provider.GetRequiredService<IOptions<InferenceOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(2), options.News2.PulseMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Alarms.OnsetDelay);
        Assert.Equal(92, Assert.Single(options.Alarms.Thresholds!).Below);
        Assert.True(provider.GetRequiredService<ModelRunner>().IsAvailable);
        Assert.Same(provider.GetRequiredService<AlarmManager>(), provider.GetRequiredService<AlarmManager>());
        Assert.Equal(VitalFixture.Start, provider.GetRequiredService<News2Scorer>().Score(new PatientVitals("p1")).At);
    }

    [Fact]
    public void AddEdgeTwinInference_MalformedHash_FailsValidationNamingIt()
    {
        using var provider = Build(TimeProvider.System, new() { ["Inference:Model:Sha256"] = "abc" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<InferenceOptions>>().Value);
        Assert.Contains("Sha256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEdgeTwinInference_ThresholdBelowNotUnderAbove_FailsValidation()
    {
        using var provider = Build(TimeProvider.System, new()
        {
            ["Inference:Alarms:Thresholds:0:Condition"] = "hr",
            ["Inference:Alarms:Thresholds:0:Stream"] = "loinc:8867-4",
            ["Inference:Alarms:Thresholds:0:Below"] = "100",
            ["Inference:Alarms:Thresholds:0:Above"] = "50",
            ["Inference:Alarms:Thresholds:0:Text"] = "HR",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<AlarmManager>());
        Assert.Contains("threshold rule hr: Below 100 is not under Above 50", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(TimeProvider time, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddEdgeTwinInference(configuration);
        return services.BuildServiceProvider();
    }
}
