namespace EdgeTwin.Outbox.Durability;

/// <summary>Opens the two files of the outbox (data and write-ahead log); tests substitute a power-cut model.</summary>
public interface IOutboxFiles
{
    Stream Open(string path);
}
