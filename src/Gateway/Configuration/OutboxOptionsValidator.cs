namespace EdgeTwin.Gateway.Configuration;

using Microsoft.Extensions.Options;

/// <summary>Source-generated DataAnnotations validation of <see cref="OutboxOptions"/> (no reflection at start-up).</summary>
[OptionsValidator]
internal sealed partial class OutboxOptionsValidator : IValidateOptions<OutboxOptions>;
