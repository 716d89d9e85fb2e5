namespace EdgeTwin.Drivers.Hl7;

/// <summary>One item from the MLLP byte stream; <see cref="Length"/> counts every byte it covered.</summary>
internal sealed record MllpFrame(MllpFrameKind Kind, byte[] Payload, long Length);
