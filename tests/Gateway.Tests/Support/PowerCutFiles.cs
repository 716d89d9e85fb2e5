namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Outbox.Durability;

/// <summary>
/// A power-cut model of the disk: each file's "durable image" is what it held at its last fsync
/// (<see cref="SyncedFileStream"/>'s flush); every write after that is lost by <see cref="CutPower"/>.
/// Pessimistic on purpose: a real disk may keep some unsynced writes, never more.
/// </summary>
internal sealed class PowerCutFiles : IOutboxFiles
{
    private readonly Dictionary<string, byte[]> _durable = [];
    private readonly Lock _gate = new();

    public int Syncs { get; private set; }

    /// <summary>Called after every fsync with the count so far: a test may <see cref="CutPower"/> there, at each point a crash can leave the disk.</summary>
    public Action<int>? AfterSync { get; set; }

    public Stream Open(string path) => new RecordingStream(path, this);

    /// <summary>Writes only the synced bytes of every opened file into <paramref name="directory"/>.</summary>
    public void CutPower(string directory)
    {
        Directory.CreateDirectory(directory);
        lock (_gate)
        {
            foreach (var (path, bytes) in _durable)
            {
                File.WriteAllBytes(Path.Combine(directory, Path.GetFileName(path)), bytes);
            }
        }
    }

    private void Synced(string path, byte[] image)
    {
        int syncs;
        lock (_gate)
        {
            _durable[path] = image;
            syncs = ++Syncs;
        }

        AfterSync?.Invoke(syncs);
    }

    private sealed class RecordingStream : SyncedFileStream
    {
        private readonly PowerCutFiles _owner;
        private readonly string _path;

        public RecordingStream(string path, PowerCutFiles owner)
            : base(path)
        {
            _owner = owner;
            _path = path;
            owner.Synced(path, Snapshot()); // what was on disk when it was opened
        }

        public override void Flush(bool flushToDisk)
        {
            base.Flush(flushToDisk);
            _owner.Synced(_path, Snapshot());
        }

        private byte[] Snapshot()
        {
            var position = Position;
            var image = new byte[Length];
            Position = 0;
            ReadExactly(image);
            Position = position;
            return image;
        }
    }
}
