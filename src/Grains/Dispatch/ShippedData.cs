namespace HuaduDispatch.Grains.Dispatch;

/// <summary>The default policy data shipped in the binary (Dispatch/Data/*.json, embedded).</summary>
public static class ShippedData
{
    public static string Read(string fileName)
    {
        var assembly = typeof(ShippedData).Assembly;
        using var stream = assembly.GetManifestResourceStream($"HuaduDispatch.Dispatch.{fileName}")
            ?? throw new InvalidOperationException($"embedded data file {fileName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static ResponsePlanCatalogue ResponsePlans() => ResponsePlanCatalogue.FromJson(Read("response-plans.json"));
}
