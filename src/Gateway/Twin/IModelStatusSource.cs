namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Inference.Model;

/// <summary>
/// The model the gateway runs, for the reported twin (issue 6: "reports model id and version in
/// the twin"): id, version, the SHA-256 of the file it read, loaded or rules-only and why.
/// Registered with the alarm engine; without it the reported twin has no <c>model</c> member.
/// </summary>
internal interface IModelStatusSource
{
    ModelStatus Status { get; }
}
