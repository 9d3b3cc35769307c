using System.Diagnostics;
using System.Globalization;

// Starts COUNT `sleep 3600` children the way MODE says and prints what each costs this process:
// live managed bytes (after a full GC) and resident memory. Usage: ProcessMemory MODE COUNT
//   lines   stdin, stdout and stderr redirected, output read with BeginOutputReadLine (the gateway before)
//   pump    the same redirection, output read from BaseStream with a 256-byte buffer (the gateway after)
//   stdin   stdin redirected (and closed) only
//   stdout  stdout redirected only, read with a 256-byte buffer
//   none    nothing redirected
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ProcessMemory lines|pump|stdin|stdout|none COUNT");
    return 2;
}

var mode = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var warm = Start(mode);
Thread.Sleep(200);
var (managed0, rss0) = Measure();
var children = new List<Process>();
for (var i = 0; i < count; i++)
{
    children.Add(Start(mode));
}

Thread.Sleep(2000);
var (managed1, rss1) = Measure();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{mode}: managed {(managed1 - managed0) / count} B per process, RSS {(rss1 - rss0) / count} B per process"));
foreach (var child in children.Append(warm))
{
    child.Kill();
    child.Dispose();
}

return 0;

static (long Managed, long Rss) Measure()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var managed = GC.GetTotalMemory(forceFullCollection: true);
    var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return (managed, long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
}

static Process Start(string mode)
{
    var info = new ProcessStartInfo("sleep")
    {
        UseShellExecute = false,
        RedirectStandardInput = mode is "lines" or "pump" or "stdin",
        RedirectStandardOutput = mode is "lines" or "pump" or "stdout",
        RedirectStandardError = mode is "lines" or "pump",
    };
    info.ArgumentList.Add("3600");
    var process = new Process { StartInfo = info, EnableRaisingEvents = true };
    process.Start();
    if (info.RedirectStandardInput)
    {
        process.StandardInput.Close();
    }

    if (mode == "lines")
    {
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }
    else
    {
        if (info.RedirectStandardOutput)
        {
            _ = PumpAsync(process.StandardOutput.BaseStream);
        }

        if (info.RedirectStandardError)
        {
            _ = PumpAsync(process.StandardError.BaseStream);
        }
    }

    _ = process.WaitForExitAsync();
    return process;
}

static async Task PumpAsync(Stream stream)
{
    var buffer = new byte[256];
    while (await stream.ReadAsync(buffer) > 0)
    {
    }
}
