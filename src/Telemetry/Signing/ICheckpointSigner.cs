namespace EdgeTwin.Telemetry.Signing;

/// <summary>Signs 32-byte digests with the gateway key (EIP-191 personal-sign, PROTOCOL §5).</summary>
public interface ICheckpointSigner
{
    /// <summary>The Ethereum-style address of the key (EIP-55 checksummed).</summary>
    string Address { get; }

    /// <summary>Returns <c>0x</c> + 130 lowercase hex digits (r‖s‖v, v ∈ {27, 28}).</summary>
    string SignDigest(ReadOnlySpan<byte> digest);
}
