namespace HuaduDispatch.UnitTests.Policies;

/// <summary>
/// Finds the shipped data files: first the copy in the test output (Dispatch/Data/… and ReferenceData/…), else the source file,
/// found by walking up from the output folder to the folder that holds HuaduDispatch.sln.
/// </summary>
internal static class PolicyFiles
{
    public static string ResponseLevels => Find(Path.Combine("Dispatch", "Data", "response-levels.json"), Path.Combine("src", "Grains", "Dispatch", "Data", "response-levels.json"));

    public static string ResponsePlans => Find(Path.Combine("Dispatch", "Data", "response-plans.json"), Path.Combine("src", "Grains", "Dispatch", "Data", "response-plans.json"));

    public static string ReferenceData => Find(Path.Combine("ReferenceData", "huadu-reference.json"), Path.Combine("src", "Silo", "ReferenceData", "huadu-reference.json"));

    private static string Find(string inOutput, string inRepository)
    {
        var copied = Path.Combine(AppContext.BaseDirectory, inOutput);
        if (File.Exists(copied)) return copied;

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HuaduDispatch.sln")))
            {
                var source = Path.Combine(dir.FullName, inRepository);
                return File.Exists(source) ? source : throw new FileNotFoundException($"{inRepository} is missing from the repository", source);
            }
        }
        throw new FileNotFoundException($"neither {copied} nor a HuaduDispatch.sln above {AppContext.BaseDirectory} was found");
    }
}
