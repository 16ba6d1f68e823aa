namespace Gatehouse.Workload.Server;

/// <summary>Single-use join tokens (SPIRE's join_token node attestation), kept by their hash.</summary>
public interface IJoinTokenRedeemer
{
    /// <summary>Marks the token used if it is known, unused and unexpired, and returns its public id; null otherwise.</summary>
    Task<string?> TryRedeemAsync(string joinToken, CancellationToken cancellationToken);
}
