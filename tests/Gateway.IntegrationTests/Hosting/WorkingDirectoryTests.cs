using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// The gateway reads only the settings file it is given: started in a folder with a tree below it
/// and an <c>appsettings.json</c> of its own (a repository, a home folder), it neither watches that
/// tree nor takes settings from that file.
/// </summary>
public sealed class WorkingDirectoryTests
{
    /// <summary>The inotify watches process <paramref name="pid"/> holds, from <c>/proc/PID/fdinfo</c>.</summary>
    private static int InotifyWatches(int pid) =>
        Directory.EnumerateFiles($"/proc/{pid}/fdinfo").Sum(f =>
        {
            try
            {
                return File.ReadLines(f).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return 0; // the descriptor closed meanwhile
            }
        });

    [Fact]
    public async Task StartedInAFolderTree_WatchesNoneOfItAndIgnoresItsAppsettings()
    {
        var cwd = Directory.CreateTempSubdirectory("gateway-cwd-").FullName;
        for (var i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(Path.Combine(cwd, $"d{i}", "sub"));
        }

        // Were it read, this would bind one more listener (and on a port taken, fail the start).
        var taken = FreePort.Get();
        await File.WriteAllTextAsync(Path.Combine(cwd, "appsettings.json"), $$"""{ "Kestrel": { "Endpoints": { "x": { "Url": "http://127.0.0.1:{{taken}}" } } } }""");
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(DemoService.Services(DemoService.Member("web")), workingDirectory: cwd);
            await gateway.WaitForPodsAsync(p => p.Count == 1, "the pod");

            Assert.True(InotifyWatches(gateway.Id) < 40, $"{InotifyWatches(gateway.Id)} inotify watches: the working folder's tree is watched");
            Assert.DoesNotContain($"127.0.0.1:{taken}", gateway.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cwd, recursive: true);
        }
    }
}
