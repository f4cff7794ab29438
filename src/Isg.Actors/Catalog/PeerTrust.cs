namespace Isg.Actors.Catalog;

/// <summary>Why a device is accepted as a peer (the <c>peers.trust</c> column).</summary>
public enum PeerTrust
{
    /// <summary>Paired by hand with `isg peer add`.</summary>
    Paired = 1,

    /// <summary>Admitted because it proved the cluster secret; recorded by the node.</summary>
    Cluster = 2,
}
