namespace EdgeTwin.Inference;

using Microsoft.Extensions.Options;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;

/// <summary>Configuration section <c>Inference</c>: NEWS2 staleness, the model, and alarm behaviour.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    [ValidateObjectMembers]
    public News2Options News2 { get; set; } = new();

    [ValidateObjectMembers]
    public ModelOptions Model { get; set; } = new();

    [ValidateObjectMembers]
    public AlarmOptions Alarms { get; set; } = new();

    [ValidateObjectMembers]
    public ArtefactOptions Artefacts { get; set; } = new();
}
