namespace EdgeTwin.Hl7v2;

/// <summary>One item from the MLLP byte stream; <see cref="Length"/> counts every byte it covered.</summary>
public sealed record MllpFrame(MllpFrameKind Kind, byte[] Payload, long Length);
