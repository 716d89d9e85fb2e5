namespace EdgeTwin.Ingest.Options;

using Microsoft.Extensions.Options;

/// <summary>Source-generated data-annotation checks plus the checks that need parsing.</summary>
[OptionsValidator]
internal sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
}
