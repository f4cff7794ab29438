using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// The service this node announces: instance <c>InstanceLabel.&lt;service type&gt;</c>, whose SRV points at
/// <c>HostLabel.local</c> and <see cref="Port"/>, with TXT <see cref="Txt"/> pairs. On a name conflict the responder
/// picks "InstanceLabel (2)", "HostLabel-2", and so on.
/// </summary>
internal sealed record MdnsAnnouncement(string InstanceLabel, string HostLabel, ushort Port, IReadOnlyList<KeyValuePair<string, string?>> Txt)
{
    /// <summary>Throws <see cref="ArgumentException"/> when a label is empty or too long, or a TXT pair is not valid.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(InstanceLabel);
        ArgumentException.ThrowIfNullOrEmpty(HostLabel);
        ArgumentNullException.ThrowIfNull(Txt);
        _ = DnsName.FromLabels(InstanceLabel);
        _ = DnsName.FromLabels(HostLabel);
        _ = TxtRecord.FromPairs(DnsName.Root, Txt, 0);
    }
}
