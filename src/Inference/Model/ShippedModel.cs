namespace EdgeTwin.Inference.Model;

/// <summary>
/// The model in <c>models/</c>, as tools/ModelBuilder exported it (see models/README.md). A test
/// hashes the shipped file against <see cref="Sha256"/>, so the two cannot drift apart.
/// </summary>
public static class ShippedModel
{
    public const string Id = "edgetwin-deterioration-1";

    public const string Version = "1.0.0";

    public const string RelativePath = "models/" + Id + ".onnx";

    public const string Sha256 = "31a505f683fec8f4f187b6d5d6cd1457668c6d9b59bafb904dbb8dc5303d4856";

    public const string InputName = "features";

    public const string OutputName = "Probability.output";
}
