using System.Text.Json;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The Process pods' records, one file per pod (<c>&lt;uid&gt;.json</c>) in <c>process-pods</c> of
/// <c>Gateway:StateDirectory</c>. A file is written whole to a temporary name and renamed over the
/// old one, so a reader (the next gateway, after a crash at any moment) finds the old record or the new
/// one, never a part. Read errors skip the file (it is then orphaned, and its processes are not touched).
/// </summary>
internal sealed class PodRecords(string folder)
{
    public const string FolderName = "process-pods";

    public string Folder => folder;

    public static PodRecords In(string stateDirectory) => new(Path.Combine(stateDirectory, FolderName));

    /// <summary>Writes <paramref name="record"/> atomically; false (and the reason) when it could not be.</summary>
    public bool TryWrite(PodRecord record, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = PathOf(record.Uid);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(record, PodRecordJson.Default.PodRecord));
            File.Move(temporary, path, overwrite: true);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot write the pod record {path}: {e.Message}; a gateway restart will not adopt the pod";
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            return false;
        }
    }

    public void Remove(string uid)
    {
        try
        {
            File.Delete(PathOf(uid));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Every record that reads; files that do not parse, and leftovers of a write cut short, are skipped.</summary>
    public IReadOnlyList<PodRecord> ReadAll()
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var records = new List<PodRecord>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            if (Read(file) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    public static PodRecord? Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(file), PodRecordJson.Default.PodRecord);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private string PathOf(string uid) => Path.Combine(folder, $"{uid}.json");
}
