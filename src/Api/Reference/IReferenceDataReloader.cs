using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Reference;

/// <summary>Reads the configured reference data file again and loads it (implemented by the silo host).</summary>
public interface IReferenceDataReloader
{
    /// <summary>Returns the load result, or the file's validation errors.</summary>
    Task<(ReferenceLoadResult? Result, IReadOnlyList<string> Errors)> ReloadAsync(CancellationToken cancellationToken);
}
