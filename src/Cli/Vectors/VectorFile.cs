namespace EdgeTwin.Cli.Vectors;

/// <summary>One capture file of the test vectors with its expectation.</summary>
internal sealed record VectorFile(string Name, string Description, IReadOnlyList<(string Topic, byte[] Payload)> Entries, VectorExpectation Expect);
