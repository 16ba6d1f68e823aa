using Gatehouse.Server.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Server.Hosting;

public static class GatehouseConfiguration
{
    /// <summary>
    /// Binds and validates the Gatehouse section. Unknown keys are errors too, so a typo in a setting name
    /// is reported instead of silently falling back to a default.
    /// </summary>
    /// <exception cref="GatehouseConfigurationException">The configuration cannot be used.</exception>
    public static GatehouseOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(GatehouseOptions.Section);
        GatehouseOptions options;
        try
        {
            options = section.Get<GatehouseOptions>(b => b.ErrorOnUnknownConfiguration = true) ?? new GatehouseOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new GatehouseConfigurationException([BindingProblem(e, configuration)]);
        }
        var problems = GatehouseOptionsValidator.Validate(options);
        if (problems.Count > 0)
            throw new GatehouseConfigurationException(problems);
        return options;
    }

    private static ConfigurationProblem BindingProblem(InvalidOperationException e, IConfiguration configuration)
    {
        // The binder names the key in its message: "...value at 'Gatehouse:Keys:RotationPeriod' to type..."
        // or "'Bogus' was not found on type '...ClientOptions'".
        // ErrorOnUnknownConfiguration wraps the binder's own message; the innermost one names the key.
        while (e.InnerException is InvalidOperationException inner)
            e = inner;
        var message = e.Message;
        if (message.Contains("not found on the instance of", StringComparison.Ordinal))
        {
            // "...properties were not found on the instance of Gatehouse.Server.Configuration.ClientOptions: 'Secrte'"
            var section = message[(message.IndexOf("instance of ", StringComparison.Ordinal) + 12)..];
            var type = section[..section.IndexOf(':')].Split('.')[^1].Replace("Options", "");
            var names = section[(section.IndexOf(':') + 1)..].Trim().Replace("'", "");
            // The binder does not say where; find the full key(s) in the configuration itself.
            var unknown = names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var keys = configuration.GetSection(GatehouseOptions.Section).AsEnumerable()
                .Select(p => p.Key)
                .Where(k => unknown.Any(n => k.EndsWith(":" + n, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            return new ConfigurationProblem(keys.Count > 0 ? string.Join(", ", keys) : $"{GatehouseOptions.Section} ({type} section)", null,
                $"Unknown setting '{names}' in a {type} section. (A ':' in a client or scope name also splits it into nested keys.)",
                "Check the spelling against docs/configuration.md, or remove it.");
        }
        // "Failed to convert configuration value '...' at 'Gatehouse:Keys:RotationPeriod' to type 'System.TimeSpan'."
        var at = message.IndexOf(" at '", StringComparison.Ordinal);
        var key = at >= 0 ? message[(at + 5)..message.IndexOf('\'', at + 5)] : GatehouseOptions.Section;
        // Only non-string settings (durations, numbers, booleans) fail to convert, so the value is no secret.
        return new ConfigurationProblem(key, at >= 0 ? configuration[key] : null, "The value has the wrong format: " + message,
            "Write durations as [d.]hh:mm:ss (e.g. 00:15:00), booleans as true/false, and numbers as digits.");
    }
}
