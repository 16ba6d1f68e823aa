using Gatehouse.Workload.Registration;

namespace Gatehouse.Workload.Api;

/// <summary>Who is on the other end of the Workload API socket, as the kernel reports it (SO_PEERCRED).</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid);

/// <summary>Turns a caller's credentials into the selectors registration entries are matched against.</summary>
public interface IWorkloadAttestor
{
    ValueTask<IReadOnlyList<Selector>> AttestAsync(PeerCredentials peer, CancellationToken cancellationToken);
}

/// <summary>Attestation could not decide who the caller is; the caller gets an error rather than fewer selectors.</summary>
public sealed class WorkloadAttestationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs several attestors; the caller's selectors are all of theirs (e.g. Unix and Kubernetes).</summary>
public sealed class CompositeWorkloadAttestor(params IReadOnlyList<IWorkloadAttestor> attestors) : IWorkloadAttestor
{
    public async ValueTask<IReadOnlyList<Selector>> AttestAsync(PeerCredentials peer, CancellationToken cancellationToken)
    {
        var selectors = new List<Selector>();
        foreach (var attestor in attestors)
            selectors.AddRange(await attestor.AttestAsync(peer, cancellationToken).ConfigureAwait(false));
        return selectors;
    }
}

/// <summary>The Unix attestor: <c>unix:uid</c>, <c>unix:gid</c> and, when /proc lets us read it, <c>unix:path</c> of the caller's binary.</summary>
public sealed class UnixWorkloadAttestor : IWorkloadAttestor
{
    public ValueTask<IReadOnlyList<Selector>> AttestAsync(PeerCredentials peer, CancellationToken cancellationToken)
    {
        var selectors = new List<Selector> { Selector.UnixUid(peer.Uid), Selector.UnixGid(peer.Gid) };
        if (peer.Pid > 0)
        {
            try
            {
                var target = new FileInfo($"/proc/{peer.Pid}/exe").LinkTarget;
                if (target is not null && target.StartsWith('/'))
                    selectors.Add(Selector.UnixPath(target));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process may have exited or be out of reach; uid and gid still stand.
            }
        }
        return ValueTask.FromResult<IReadOnlyList<Selector>>(selectors);
    }
}
