using System.Globalization;

namespace Gatehouse.Bench.Auth;

/// <summary>The server's CPU time and peak resident memory, read from /proc (Linux).</summary>
public sealed class ServerProcess(int pid, int clockTicksPerSecond)
{
    /// <summary>utime + stime of the whole process (fields 14 and 15 of /proc/PID/stat, in clock ticks).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / clockTicksPerSecond);
    }

    /// <summary>VmHWM: the peak resident set size since the process started, in MiB.</summary>
    public double PeakRssMiB()
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }
}
