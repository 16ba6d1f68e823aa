namespace Gatehouse.Server.Configuration;

/// <summary>One invalid setting: the full configuration key, the value found (hidden for secrets), what is wrong, and the fix.</summary>
public sealed record ConfigurationProblem(string Key, string? Value, string Problem, string Fix)
{
    public override string ToString() =>
        $"{Key} = {(Value is null ? "(not set)" : $"'{Value}'")}: {Problem} Fix: {Fix}";
}

/// <summary>Thrown at startup when the configuration is invalid; the process stops without serving.</summary>
public sealed class GatehouseConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
    : Exception("Invalid Gatehouse configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<ConfigurationProblem> Problems { get; } = problems;
}
