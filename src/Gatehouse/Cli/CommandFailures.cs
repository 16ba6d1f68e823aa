using System.Text.Json;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Cli;

/// <summary>Turns the failures a user can fix into a message and an exit code instead of a stack trace.</summary>
internal static class CommandFailures
{
    public const int ConfigurationError = 2;
    public const int StoreError = 3;

    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (GatehouseConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return ConfigurationError;
        }
        catch (FileNotFoundException e)
        {
            await Console.Error.WriteLineAsync($"Configuration file not found: {e.FileName}. Fix: pass an existing file with --config.");
            return ConfigurationError;
        }
        catch (InvalidDataException e) when (e.InnerException is JsonException || e.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"The configuration file is not valid JSON: {e.InnerException?.Message ?? e.Message}");
            return ConfigurationError;
        }
        catch (Exception e) when (e is System.Data.Common.DbException || e.InnerException is System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"The store could not be used: {(e.InnerException ?? e).Message}. Fix: check Gatehouse:Storage:ConnectionString and that the database server runs.");
            return StoreError;
        }
    }
}
