using System.Text.Json;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Cli;

/// <summary>Turns the failures a user can fix into a message and an exit code instead of a stack trace.</summary>
internal static class CommandFailures
{
    public const int ConfigurationError = 2;
    public const int StoreError = 3;
    public const int ListenError = 4;

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
        catch (InvalidDataException e) when (JsonErrorIn(e) is { } json)
        {
            // e.Message: "Failed to load configuration from file '<path>'."; json.Message has the line and byte position.
            await Console.Error.WriteLineAsync($"{e.Message} The configuration file is not valid JSON: {json.Message} Fix: correct the JSON at that position (comments and trailing commas are allowed).");
            return ConfigurationError;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"{e.Message} Fix: stop what uses that port, or choose another with --urls (serve) or --port (up).");
            return ListenError;
        }
        catch (Exception e) when (e is System.Data.Common.DbException || e.InnerException is System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"The store could not be used: {(e.InnerException ?? e).Message}. Fix: check Gatehouse:Storage:ConnectionString and that the database server runs.");
            return StoreError;
        }
    }

    private static JsonException? JsonErrorIn(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
                return json;
        }
        return null;
    }
}
