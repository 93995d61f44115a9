using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HuaduDispatch.Contracts;

/// <summary>Whether a text a person is to read (a title, a name) shows anything at all.</summary>
public static class VisibleText
{
    /// <summary>
    /// No visible character: null, empty, white space, control and format characters (zero-width spaces and joiners,
    /// direction marks), combining marks with nothing to combine with, and the blank fillers (Hangul fillers, the Braille
    /// blank). A title of "\u200b\u200b" was taken until the twenty-ninth session, and consoles showed an incident with no title.
    /// </summary>
    public static bool IsBlank([NotNullWhen(false)] string? text) => text is null || text.All(Invisible);

    private static bool Invisible(char c) => char.IsWhiteSpace(c) || c is '\u115F' or '\u1160' or '\u3164' or '\uFFA0' or '\u2800' || char.GetUnicodeCategory(c)
        is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;
}
