using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace HuaduDispatch.Api.Standards.Eido;

/// <summary>
/// The PIDF-LO (RFC 4119 / RFC 5491) document an EIDO location carries in locationByValue: we write a WGS 84 gml:Point
/// (EPSG 4326, "lat lon") and read the first gml:pos of any shape (Point, Circle, Ellipsoid, ...), whose first two numbers
/// are latitude and longitude.
/// </summary>
public static class PidfLo
{
    private static readonly XNamespace Pidf = "urn:ietf:params:xml:ns:pidf";
    private static readonly XNamespace Geopriv = "urn:ietf:params:xml:ns:pidf:geopriv10";
    private static readonly XNamespace DataModel = "urn:ietf:params:xml:ns:pidf:data-model";
    private static readonly XNamespace Gml = "http://www.opengis.net/gml";

    private static readonly XmlReaderSettings ReaderSettings = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };

    public static string Point(string entity, double lat, double lon, DateTimeOffset at)
    {
        var doc = new XElement(Pidf + "presence",
            new XAttribute(XNamespace.Xmlns + "gp", Geopriv),
            new XAttribute(XNamespace.Xmlns + "dm", DataModel),
            new XAttribute(XNamespace.Xmlns + "gml", Gml),
            new XAttribute("entity", entity),
            new XElement(DataModel + "device", new XAttribute("id", "incident"),
                new XElement(Geopriv + "geopriv",
                    new XElement(Geopriv + "location-info",
                        new XElement(Gml + "Point", new XAttribute("srsName", "urn:ogc:def:crs:EPSG::4326"),
                            new XElement(Gml + "pos", $"{Format(lat)} {Format(lon)}"))),
                    new XElement(Geopriv + "usage-rules")),
                new XElement(DataModel + "timestamp", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))));
        return doc.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The first gml:pos as (lat, lon); null with a reason when the text is not such a document.</summary>
    public static (double Lat, double Lon)? TryReadPosition(string text, out string? error)
    {
        error = null;
        XDocument doc;
        try
        {
            // A PIDF-LO has no DOCTYPE, so none is read. Until the thirtieth session internal entities were expanded (up to
            // .NET's 10,000,000 characters) and the refusal quoted the expansion: a 660-byte request answered 8 MB.
            using var reader = XmlReader.Create(new StringReader(text.Trim()), ReaderSettings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            error = "a PIDF-LO carries no DOCTYPE (DTD): send the presence document without one";
            return null;
        }
        catch (XmlException e)
        {
            error = $"not a PIDF-LO XML document: {e.Message}";
            return null;
        }
        var pos = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "pos");
        if (pos is null)
        {
            error = "the PIDF-LO has no gml:pos (a civic address alone cannot be placed on the map)";
            return null;
        }
        // PIDF-LO shapes are in WGS 84 (EPSG 4326, or 4979 with a height); a shape that declares another system (Web Mercator
        // metres, say) would be read as degrees somewhere else entirely.
        if (pos.AncestorsAndSelf().Select(e => e.Attribute("srsName")?.Value).FirstOrDefault(v => v is not null) is { } srs &&
            srs.Trim().Split(':', '/').LastOrDefault(p => p.Length > 0) is not ("4326" or "4979"))
        {
            error = $"srsName '{HttpHardening.Quote(srs.Trim())}' is not WGS 84 (EPSG 4326 or 4979, as PIDF-LO requires)";
            return null;
        }
        var parts = pos.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 ||
            !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
            !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon))
        {
            error = $"gml:pos '{HttpHardening.Quote(pos.Value.Trim())}' is not 'latitude longitude'";
            return null;
        }
        if (double.IsNaN(lat) || double.IsNaN(lon) || lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            error = $"gml:pos '{HttpHardening.Quote(pos.Value.Trim())}' is not a WGS 84 position";
            return null;
        }
        return (lat, lon);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
