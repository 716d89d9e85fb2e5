namespace EdgeTwin.Telemetry.Verification;

using System.Text.Json.Serialization;

/// <summary>
/// The JSON form of <see cref="ChainVerifierState"/> that ingests stored before the compact form
/// (default options: PascalCase names, enums as numbers), generated at build time so that a
/// NativeAOT build reads it too.
/// </summary>
[JsonSerializable(typeof(ChainVerifierState))]
internal sealed partial class ChainStateJsonContext : JsonSerializerContext;
