namespace EdgeTwin.Hl7v2;

/// <summary>
/// Splits an MLLP byte stream into frames: start block 0x0B, payload, end block 0x1C 0x0D. It never
/// throws for what the peer sends: garbage, broken and over-long frames come back as their own
/// <see cref="MllpFrameKind"/> so the driver can log, count and answer them. Memory is bounded by the
/// frame limit. Idle time between frames is not a timeout (a monitor may be quiet); a frame is
/// bounded as a whole: from its start block it must end within the frame timeout, however the bytes
/// trickle in (one byte every 2 s used to keep a frame open as long as the peer liked).
/// </summary>
public sealed class MllpFrameReader(Stream stream, int maxFrameBytes, TimeSpan frameTimeout, TimeProvider time)
{
    public const byte StartBlock = 0x0B;
    public const byte EndBlock = 0x1C;
    public const byte CarriageReturn = 0x0D;

    private readonly byte[] _buffer = new byte[8192];
    private readonly MemoryStream _frame = new();
    private int _position;
    private int _count;
    private bool _inFrame;
    private bool _sawEnd;
    private long _frameLength;
    private long _garbage;
    private DateTimeOffset _frameStartedAt;

    /// <summary>Frames the MLLP envelope around a payload.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> payload)
    {
        var framed = new byte[payload.Length + 3];
        framed[0] = StartBlock;
        payload.CopyTo(framed.AsSpan(1));
        framed[^2] = EndBlock;
        framed[^1] = CarriageReturn;
        return framed;
    }

    /// <returns>The next item, or null when the peer closed the connection cleanly between frames.</returns>
    public async ValueTask<MllpFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_position == _count)
            {
                int read;
                try
                {
                    var left = _frameStartedAt + frameTimeout - time.GetUtcNow();
                    if (_inFrame && left <= TimeSpan.Zero)
                    {
                        throw new TimeoutException();
                    }

                    var pending = stream.ReadAsync(_buffer, cancellationToken).AsTask();
                    read = _inFrame ? await pending.WaitAsync(left, time, cancellationToken).ConfigureAwait(false) : await pending.ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    var length = _frameLength;
                    ResetFrame();
                    return new MllpFrame(MllpFrameKind.TimedOut, [], length);
                }

                if (read == 0)
                {
                    return EndOfStream();
                }

                _position = 0;
                _count = read;
            }

            if (Step(_buffer[_position++]) is { } item)
            {
                return item;
            }
        }
    }

    private MllpFrame? EndOfStream()
    {
        if (_inFrame)
        {
            var length = _frameLength;
            ResetFrame();
            return new MllpFrame(MllpFrameKind.Broken, [], length);
        }

        return TakeGarbage();
    }

    private MllpFrame? Step(byte b)
    {
        if (!_inFrame)
        {
            if (b != StartBlock)
            {
                _garbage++;
                return null;
            }

            var garbage = TakeGarbage();
            StartFrame();
            if (garbage is not null)
            {
                return garbage;
            }

            return null;
        }

        _frameLength++;
        if (_sawEnd)
        {
            _sawEnd = false;
            if (b == CarriageReturn)
            {
                return Complete();
            }

            // 0x1C not followed by CR: the frame is broken; this byte is looked at afresh.
            var length = _frameLength - 1;
            ResetFrame();
            _position--;
            return new MllpFrame(MllpFrameKind.Broken, [], length);
        }

        switch (b)
        {
            case EndBlock:
                _sawEnd = true;
                return null;
            case StartBlock:
                // A new frame starts inside the old one: the old one was cut short.
                var length = _frameLength - 1;
                ResetFrame();
                StartFrame();
                return new MllpFrame(MllpFrameKind.Broken, [], length);
            default:
                if (_frame.Length < maxFrameBytes)
                {
                    _frame.WriteByte(b);
                }

                return null;
        }
    }

    private MllpFrame Complete()
    {
        var payloadLength = _frameLength - 3;
        var payload = _frame.ToArray();
        var length = _frameLength;
        ResetFrame();
        return new MllpFrame(payloadLength > maxFrameBytes ? MllpFrameKind.Oversize : MllpFrameKind.Message, payload, length);
    }

    private MllpFrame? TakeGarbage()
    {
        if (_garbage == 0)
        {
            return null;
        }

        var count = _garbage;
        _garbage = 0;
        return new MllpFrame(MllpFrameKind.Garbage, [], count);
    }

    private void StartFrame()
    {
        _inFrame = true;
        _frameLength = 1;
        _frameStartedAt = time.GetUtcNow();
    }

    private void ResetFrame()
    {
        _frame.SetLength(0);
        _inFrame = false;
        _sawEnd = false;
        _frameLength = 0;
    }
}
