namespace EdgeTwin.Gateway.Outbox;

/// <summary>Opens the two files of the outbox (data and write-ahead log); tests substitute a power-cut model.</summary>
internal interface IOutboxFiles
{
    Stream Open(string path);
}
