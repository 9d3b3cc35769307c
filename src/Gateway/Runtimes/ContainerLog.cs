using System.Text;

namespace Gateway.Runtimes;

/// <summary>A container's stdout and stderr: the most recent lines, bounded in bytes.</summary>
public sealed class ContainerLog(int capacityBytes = 256 * 1024)
{
    private readonly Lock _lock = new();
    private readonly Queue<string> _lines = new();
    private int _bytes;

    public void Append(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_lock)
        {
            _lines.Enqueue(line);
            _bytes += line.Length + 1;
            while (_bytes > capacityBytes && _lines.Count > 1)
            {
                _bytes -= _lines.Dequeue().Length + 1;
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            var text = new StringBuilder(_bytes);
            foreach (var line in _lines)
            {
                text.Append(line).Append('\n');
            }

            return text.ToString();
        }
    }
}
