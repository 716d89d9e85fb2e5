namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Twin.Model;

/// <summary>The uplink and outbox state the reported twin shows (connected, backlog, chain heads): implemented by the gateway.</summary>
internal interface IUplinkStateSource
{
    UplinkState Read();
}
