namespace EdgeTwin.Gateway.Configuration;

using Microsoft.Extensions.Options;

/// <summary>Source-generated DataAnnotations validation of <see cref="UplinkOptions"/> (no reflection at start-up).</summary>
[OptionsValidator]
internal sealed partial class UplinkOptionsValidator : IValidateOptions<UplinkOptions>;
