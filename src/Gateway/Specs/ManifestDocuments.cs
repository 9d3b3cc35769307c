using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Specs;

/// <summary>Splits a multi-document YAML stream (<c>---</c>) into its documents, as <c>kubectl apply -f</c> reads them.</summary>
internal static class ManifestDocuments
{
    /// <summary>
    /// Each non-empty document's text, preceded by as many newlines as lines come before it so that
    /// the parser's line numbers are the file's; and the line it starts on.
    /// </summary>
    /// <exception cref="YamlException">The text is not well-formed YAML.</exception>
    public static List<(string Yaml, int Line)> Split(string text)
    {
        var documents = new List<(string, int)>();
        var parser = new Parser(new StringReader(text));
        Mark? start = null;
        var empty = false;
        var atRoot = false;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart documentStart:
                    start = documentStart.Start;
                    atRoot = true;
                    break;
                case DocumentEnd documentEnd when start is { } from:
                    if (!empty)
                    {
                        var begin = (int)from.Index;
                        var end = (int)Math.Clamp(documentEnd.End.Index, begin, text.Length);
                        documents.Add((new string('\n', (int)from.Line - 1) + text[begin..end], (int)from.Line));
                    }

                    (start, empty) = (null, false);
                    break;
                case NodeEvent node when atRoot:
                    // A document of nothing but comments, or a lone '---', is an empty plain scalar.
                    empty = node is Scalar { Value: "", Style: ScalarStyle.Plain } && node.Tag.IsEmpty;
                    atRoot = false;
                    break;
            }
        }

        return documents;
    }
}
