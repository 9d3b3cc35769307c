namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Where things are in the repository the tests were built from.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding Gateway.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string DemoBackendDll { get; } = Path.Combine(Root, "artifacts", "demo-backend", "DemoBackend.dll");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Gateway.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Gateway.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
