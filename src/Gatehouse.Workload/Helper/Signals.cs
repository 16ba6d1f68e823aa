using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Gatehouse.Workload.Helper;

/// <summary>The signals a helper may send on renewal (Linux numbering), delivered with kill(2).</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGHUP"] = 1, ["SIGINT"] = 2, ["SIGQUIT"] = 3, ["SIGKILL"] = 9, ["SIGUSR1"] = 10, ["SIGUSR2"] = 12, ["SIGTERM"] = 15,
    };

    public static IEnumerable<string> Names => Numbers.Keys;

    /// <summary>Accepts <c>SIGHUP</c> and <c>HUP</c>, any case.</summary>
    public static bool TryGetNumber(string name, out int number) =>
        Numbers.TryGetValue(name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name : "SIG" + name, out number);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false with the errno when the kernel refuses.</summary>
    public static bool TrySend(int pid, string signal, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (!TryGetNumber(signal, out var number))
        {
            error = $"unknown signal {signal}";
            return false;
        }
        if (!OperatingSystem.IsLinux())
        {
            error = "signals are supported on Linux only";
            return false;
        }
        if (Kill(pid, number) == 0)
            return true;
        error = $"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}";
        return false;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}

/// <summary>Splits <c>cmd_args</c> into arguments: whitespace separates, single and double quotes group, backslash escapes.</summary>
public static class CommandLineSplitter
{
    public static IReadOnlyList<string> Split(string text)
    {
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var inArg = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
                else if (c == '\\' && quote == '"' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                    current.Append(text[++i]);
                else
                    current.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inArg)
                    args.Add(current.ToString());
                current.Clear();
                inArg = false;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inArg = true;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
                inArg = true;
            }
            else
            {
                current.Append(c);
                inArg = true;
            }
        }
        if (quote is not null)
            throw new SvidHelperConfigurationException($"cmd_args has an unclosed {quote} quote: {text}");
        if (inArg)
            args.Add(current.ToString());
        return args;
    }
}
