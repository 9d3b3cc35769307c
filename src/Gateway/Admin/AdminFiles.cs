namespace Gateway.Admin;

/// <summary>The admin listener's files: written whole, readable by their owner only.</summary>
internal static class AdminFiles
{
    /// <summary>Replaces <paramref name="path"/> whole (a new 0600 file renamed over it), so no reader sees half of it.</summary>
    public static void Replace(string path, string text)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            AdminToken.WriteOwnerOnly(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
