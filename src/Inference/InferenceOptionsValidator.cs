namespace EdgeTwin.Inference;

using Microsoft.Extensions.Options;

/// <summary>Source-generated validation of the data annotations on <see cref="InferenceOptions"/> and its parts.</summary>
[OptionsValidator]
internal sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>;
