namespace EdgeTwin.Telemetry.Desired;

/// <summary>A desired document's state breaks the schema; <see cref="Exception.Message"/> is the reported reason.</summary>
internal sealed class DesiredSchemaException(string reason) : Exception(reason);
