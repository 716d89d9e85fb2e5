namespace EdgeTwin.Ingest.Ward;

using System.Threading.Channels;
using EdgeTwin.Ingest.Options;

/// <summary>
/// Tells the open ward pages which gateways changed: the ingest worker calls <see cref="Notify"/>
/// after each committed batch (records verified, a status or reported twin stored). Each page has a
/// small bounded queue; a page that does not read loses the oldest names, never blocks the ingest.
/// </summary>
internal sealed class WardChanges
{
    private readonly object _gate = new();
    private readonly List<Channel<string>> _pages = [];

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _pages.Count;
            }
        }
    }

    /// <summary>Most pages fed at once (<c>Ingest:WardMaxSubscribers</c>): each holds a connection and a queue.</summary>
    public int MaxSubscribers { get; init; } = IngestOptions.DefaultWardMaxSubscribers;

    /// <summary>A feed for one more page; null when <see cref="MaxSubscribers"/> pages are fed already.</summary>
    public Subscription? Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            if (_pages.Count >= MaxSubscribers)
            {
                return null;
            }

            _pages.Add(channel);
        }

        return new Subscription(this, channel);
    }

    public void Notify(IEnumerable<string> gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        Channel<string>[] pages;
        lock (_gate)
        {
            pages = [.. _pages];
        }

        foreach (var gw in gateways.Distinct(StringComparer.Ordinal))
        {
            foreach (var page in pages)
            {
                page.Writer.TryWrite(gw);
            }
        }
    }

    /// <summary>One open page's feed of changed gateway names.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly WardChanges _owner;
        private readonly Channel<string> _channel;

        public Subscription(WardChanges owner, Channel<string> channel)
        {
            _owner = owner;
            _channel = channel;
        }

        public ChannelReader<string> Reader => _channel.Reader;

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _owner._pages.Remove(_channel);
            }

            _channel.Writer.TryComplete();
        }
    }
}
