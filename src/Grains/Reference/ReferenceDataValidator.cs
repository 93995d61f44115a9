using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Reference;

/// <summary>
/// The rules a reference data set must keep before anything is loaded: unique ids, known areas and items, valid positions,
/// non-negative figures. A set that breaks one is refused whole, so a bad file never half-replaces a good one.
/// </summary>
public static class ReferenceDataValidator
{
    public static IReadOnlyList<string> Validate(ReferenceDataSet set)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(set.Version)) errors.Add("version is empty");

        var areaIds = UniqueIds(set.Areas, a => a.Id, "areas", errors);
        var itemCodes = UniqueIds(set.Items, i => i.Code, "items", errors);
        UniqueIds(set.Teams, t => t.Id, "teams", errors);
        UniqueIds(set.Warehouses, w => w.Id, "warehouses", errors);
        UniqueIds(set.Shelters, s => s.Id, "shelters", errors);
        UniqueIds(set.RiskPoints, r => r.Id, "riskPoints", errors);
        UniqueIds(set.HazardPoints, h => h.Id, "hazardPoints", errors);

        foreach (var a in set.Areas) CheckPosition(a.Centroid, $"areas[{a.Id}].centroid", errors);
        foreach (var i in set.Items)
        {
            if (i.WeightKg < 0 || i.VolumeM3 < 0) errors.Add($"items[{i.Code}]: weight and volume must not be negative");
        }
        foreach (var t in set.Teams)
        {
            CheckArea(t.AreaId, $"teams[{t.Id}]", areaIds, errors);
            CheckPosition(t.HomeBase, $"teams[{t.Id}].homeBase", errors);
            if (t.Members < 0) errors.Add($"teams[{t.Id}].members must not be negative");
            if (t.Capabilities.Count == 0) errors.Add($"teams[{t.Id}].capabilities is empty");
        }
        foreach (var w in set.Warehouses)
        {
            CheckArea(w.AreaId, $"warehouses[{w.Id}]", areaIds, errors);
            CheckPosition(w.Position, $"warehouses[{w.Id}].position", errors);
            if (w.Kind == WarehouseKind.IndustryCentralDepot && w.Category is null)
                errors.Add($"warehouses[{w.Id}]: an industry central depot needs a category");
            if (w.MobilisationMinutes < 0) errors.Add($"warehouses[{w.Id}].mobilisationMinutes must not be negative");
            if (w.Fleet.Trucks < 0 || w.Fleet.CapacityKg < 0 || w.Fleet.CapacityM3 < 0)
                errors.Add($"warehouses[{w.Id}].fleet figures must not be negative");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in w.Stock)
            {
                if (!itemCodes.Contains(line.ItemCode)) errors.Add($"warehouses[{w.Id}].stock: unknown item '{line.ItemCode}'");
                if (!seen.Add(line.ItemCode)) errors.Add($"warehouses[{w.Id}].stock: item '{line.ItemCode}' listed twice");
                if (line.Quantity < 0) errors.Add($"warehouses[{w.Id}].stock[{line.ItemCode}]: quantity must not be negative");
            }
        }
        foreach (var s in set.Shelters)
        {
            CheckArea(s.AreaId, $"shelters[{s.Id}]", areaIds, errors);
            CheckPosition(s.Position, $"shelters[{s.Id}].position", errors);
            if (s.Capacity < 0 || s.FloorAreaM2 < 0) errors.Add($"shelters[{s.Id}]: capacity and floor area must not be negative");
        }
        foreach (var r in set.RiskPoints)
        {
            CheckArea(r.AreaId, $"riskPoints[{r.Id}]", areaIds, errors);
            CheckPosition(r.Position, $"riskPoints[{r.Id}].position", errors);
        }
        foreach (var h in set.HazardPoints)
        {
            CheckArea(h.AreaId, $"hazardPoints[{h.Id}]", areaIds, errors);
            CheckPosition(h.Position, $"hazardPoints[{h.Id}].position", errors);
        }
        return errors;
    }

    private static HashSet<string> UniqueIds<T>(IEnumerable<T> rows, Func<T, string> id, string name, List<string> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var storageKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = id(row);
            if (string.IsNullOrWhiteSpace(key)) { errors.Add($"{name}: an entry has an empty id"); continue; }
            if (!ids.Add(key)) { errors.Add($"{name}: id '{key}' appears more than once"); continue; }
            if (key.Length > 64 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                errors.Add($"{name}: id '{key}' must be 1-64 characters of letters, digits, '-', '_' or '.'");
            var storageKey = StorageKey(key);
            if (storageKeys.TryGetValue(storageKey, out var other))
                errors.Add($"{name}: ids '{other}' and '{key}' would share one stored grain state (they differ only in case or leading zeros)");
            else storageKeys[storageKey] = key;
        }
        return ids;
    }

    /// <summary>
    /// How the Orleans ADO.NET storage provider tells grain keys apart: a key that reads as a hexadecimal number is stored as
    /// that number, so "D01", "d01" and "0D01" are one row; other keys are stored as text.
    /// </summary>
    internal static string StorageKey(string id) =>
        long.TryParse(id, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var n) ? "#" + n : id;

    private static void CheckArea(string areaId, string where, HashSet<string> areaIds, List<string> errors)
    {
        if (!areaIds.Contains(areaId)) errors.Add($"{where}: unknown areaId '{areaId}'");
    }

    private static void CheckPosition(GeoPoint p, string where, List<string> errors)
    {
        if (!p.IsValid) errors.Add($"{where}: ({p.Lat}, {p.Lon}) is not a valid WGS 84 position");
    }
}
